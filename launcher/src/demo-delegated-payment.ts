// Demo of ACP delegated payments for `npm start` (issue 21 item 2): a fresh SMARTY checkout
// session (the demo merchant's key), made ready to pay (SMARTY prices shipping and tax, so a
// session is paid at its calculation: a GB address, standard delivery, calculated: £13.99), and
// a delegated token for it (the demo agent's key; the sandbox's 4242 card, an allowance of £20.00
// for 24 hours), so the printed curl line pays it at once. A token pays once, so each start makes
// a new session and token.
import { randomUUID } from 'node:crypto';
import { graphqlOrThrow } from './graphql-client.js';
import type { DemoData } from './demo-data.js';

export interface DemoDelegatedPayment {
  acpBaseUrl: string;
  checkoutSessionId: string;
  token: string;
  /** Pays the session with the token (GraphQL through the gateway, the demo agent's key). */
  payCurl: string;
}

const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`;
const SET_ADDRESS = `mutation($id: ID!, $address: CheckoutAddressInput!) { setCheckoutShippingAddress(id: $id, address: $address) { id } }`;
const SELECT_SHIPPING = `mutation($id: ID!) { selectCheckoutShipping(id: $id, selection: { shippingOptionId: "standard" }) { id } }`;
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { id } }`;
const DELEGATE = `mutation($input: DelegatePaymentInput!, $key: String) { delegatePayment(input: $input, idempotencyKey: $key) { token { id } } }`;

export async function demoDelegatedPayment(graphqlUrl: string, publicBaseUrl: string, demo: DemoData): Promise<DemoDelegatedPayment> {
  const session = (
    await graphqlOrThrow<{ createCheckoutSession: { id: string } }>(
      graphqlUrl,
      CREATE_SESSION,
      { input: { lineItems: [{ name: '30GB Rolling Monthly', offerId: demo.smartyOfferId, unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }] } },
      { key: demo.keys.merchant },
    )
  ).createCheckoutSession;
  const asMerchant = { key: demo.keys.merchant };
  await graphqlOrThrow(graphqlUrl, SET_ADDRESS, { id: session.id, address: { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' } }, asMerchant);
  await graphqlOrThrow(graphqlUrl, SELECT_SHIPPING, { id: session.id }, asMerchant);
  await graphqlOrThrow(graphqlUrl, CALCULATE, { id: session.id }, asMerchant);
  const delegated = await graphqlOrThrow<{ delegatePayment: { token: { id: string } } }>(
    graphqlUrl,
    DELEGATE,
    {
      key: `demo-${randomUUID()}`,
      input: {
        paymentMethod: {
          type: 'card', cardNumberType: 'fpan', virtual: false, number: '4242424242424242', expMonth: '12', expYear: String(new Date().getUTCFullYear() + 3),
          cvc: '123', displayCardFundingType: 'credit', displayBrand: 'visa', displayLast4: '4242', metadata: {},
        },
        allowance: {
          reason: 'one_time', maxAmount: 2000, currency: 'gbp', checkoutSessionId: session.id, merchantId: demo.smartyMerchantId,
          expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
        },
        riskSignals: [{ type: 'card_testing', score: 1, action: 'authorized' }],
        metadata: { source: 'handoff_demo' },
      },
    },
    { key: demo.keys.agent },
  );
  const token = delegated.delegatePayment.token.id;
  const query = `mutation { payCheckoutWithDelegatedPayment(input: { checkoutSessionId: \\"${session.id}\\", token: \\"${token}\\" }) { paymentIntent { id status } token { status } } }`;
  const payCurl = `curl -sS ${publicBaseUrl}/graphql -H 'Authorization: Bearer ${demo.keys.agent}' -H 'Content-Type: application/json' -d '{"query":"${query}"}'`;
  return { acpBaseUrl: `${publicBaseUrl}/acp/${demo.smartyMerchantId}`, checkoutSessionId: session.id, token, payCurl };
}
