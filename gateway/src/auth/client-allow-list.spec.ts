import { readFileSync } from 'node:fs';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Principal } from '@handoff/shared/identity/principal';
import { BUYER_MUTATIONS, BUYER_OPERATIONS, BUYER_OPTIONS_QUERY } from '../hosted-page/buyer-operations.js';
import { CONFIRM_MUTATION, CONFIRM_WITH_METHOD_MUTATION, RENEW_INTENT_MUTATION, SESSION_QUERY, THREE_D_SECURE_MUTATION } from '../hosted-page/checkout-api.js';
import { PAYMENT_STATUS_SUBSCRIPTION } from '../subscriptions/hosted-page-client.js';
import { CLIENT_ALLOWED_FIELDS, CLIENT_FIELD_NOT_ALLOWED, INTENT_CLIENT_ALLOWED_FIELDS, clientAllowListRefusal, refusedClientFields, selectedFields } from './client-allow-list.js';

const apiSchema = buildSchema(readFileSync(new URL('../../api-schema.graphql', import.meta.url), 'utf8'));
const HOSTED_PAGE_OPERATIONS = [SESSION_QUERY, CONFIRM_MUTATION, CONFIRM_WITH_METHOD_MUTATION, RENEW_INTENT_MUTATION, THREE_D_SECURE_MUTATION, PAYMENT_STATUS_SUBSCRIPTION, ...BUYER_OPERATIONS];
const client: Principal = { kind: 'CLIENT', checkoutSessionId: 'cs_1' };

describe('the client secret allow-list', () => {
  it('names only fields of the composed API schema', () => {
    const missing = [...CLIENT_ALLOWED_FIELDS].filter((c) => {
      const [type, field] = c.split('.');
      const t = apiSchema.getType(type!) as { getFields?: () => Record<string, unknown> } | undefined;
      return !t?.getFields?.()[field!];
    });
    expect(missing).toEqual([]);
  });

  it("lets the hosted page's own operations through, and holds nothing they do not select", () => {
    for (const op of HOSTED_PAGE_OPERATIONS) expect(refusedClientFields(apiSchema, parse(op)), op).toEqual([]);
    const used = new Set(HOSTED_PAGE_OPERATIONS.flatMap((op) => selectedFields(apiSchema, parse(op))));
    expect([...CLIENT_ALLOWED_FIELDS].filter((c) => !used.has(c))).toEqual([]);
  });

  it('refuses every field off the list, in fragments and inline fragments too, and introspection', () => {
    const doc = parse(`query($id: ID!) {
      checkoutSession(id: $id) { id __typename metadata ...F paymentIntent { ... on PaymentIntent { metadata events { type } } } }
      __schema { queryType { name } }
    }
    fragment F on CheckoutSession { customerEmail merchant { name commissionTerms { type } validationPeriodDays } }`);
    expect(refusedClientFields(apiSchema, doc)).toEqual([
      'CheckoutSession.metadata',
      'PaymentIntent.metadata',
      'PaymentIntent.events',
      'PaymentEvent.type',
      'Query.__schema',
      '__Schema.queryType',
      '__Type.name',
      'CheckoutSession.customerEmail',
      'Merchant.commissionTerms',
      'CommissionTerms.type',
      'Merchant.validationPeriodDays',
    ]);
  });

  it('answers FORBIDDEN with its reason for a client secret only', () => {
    const doc = parse(`mutation($id: ID!) { refundPaymentIntent(id: $id) { id } }`);
    const refusal = clientAllowListRefusal(client, apiSchema, doc, 403);
    expect(refusal?.extensions).toEqual({ code: 'FORBIDDEN', reason: CLIENT_FIELD_NOT_ALLOWED, field: 'Mutation.refundPaymentIntent', http: { status: 403 } });
    expect(refusal?.message).toContain('Mutation.refundPaymentIntent, Refund.id');
    for (const p of [{ kind: 'ADMIN', keyId: 'k' }, { kind: 'MERCHANT', keyId: 'k', merchantId: 'm' }, { kind: 'ANONYMOUS' }] as Principal[]) {
      expect(clientAllowListRefusal(p, apiSchema, doc)).toBeUndefined();
    }
    expect(clientAllowListRefusal(client, apiSchema, parse(SESSION_QUERY))).toBeUndefined();
  });

  it('lets the buyer mutations of the hosted page through, and nothing of the merchant’s buyer data', () => {
    expect(Object.keys(BUYER_MUTATIONS)).toHaveLength(8);
    for (const op of Object.values(BUYER_MUTATIONS)) expect(clientAllowListRefusal(client, apiSchema, parse(op)), op).toBeUndefined();
    const doc = parse(`query($id: ID!) {
      checkoutSession(id: $id) { customer { customerId } calculation { providers { failure } lines { offerId adjustments { promotionId } } promotions { promotionId } } }
    }`);
    expect(refusedClientFields(apiSchema, doc)).toEqual([
      'CheckoutCustomer.customerId',
      'CheckoutCalculation.providers',
      'CheckoutPricingProviderUse.failure',
      'CheckoutCalculationLine.offerId',
      'CheckoutLineAdjustment.promotionId',
      'CheckoutAppliedPromotion.promotionId',
    ]);
    expect(refusedClientFields(apiSchema, parse(`mutation($id: ID!) { expireCheckoutSession(id: $id) { id } }`))).toEqual(['Mutation.expireCheckoutSession']);
  });

  it("lets the page's own view through: the calculation, addresses, billing requirement (issue 18, item 8) and the options", () => {
    const read = selectedFields(apiSchema, parse(SESSION_QUERY));
    for (const c of ['CheckoutSession.calculation', 'CheckoutSession.requireBillingAddress', 'CheckoutCalculationTotals.grandTotal', 'CheckoutBlocker.code']) expect(read).toContain(c);
    expect(read).not.toContain('CheckoutSession.customer'); // the page never shows contact details
    expect(clientAllowListRefusal(client, apiSchema, parse(SESSION_QUERY))).toBeUndefined();
    expect(clientAllowListRefusal(client, apiSchema, parse(BUYER_OPTIONS_QUERY))).toBeUndefined();
    expect(refusedClientFields(apiSchema, parse(`query($id: ID!) { checkoutSession(id: $id) { owner { id } channel cartId captureMode } }`))).toEqual([
      'CheckoutSession.owner', 'CheckoutOwner.id', 'CheckoutSession.channel', 'CheckoutSession.cartId', 'CheckoutSession.captureMode',
    ]);
  });

  it("holds a standalone intent's client to that intent: no session, merchant or capture", () => {
    const intentClient: Principal = { kind: 'CLIENT', checkoutSessionId: 'payment_intent:pi1', paymentIntentId: 'pi1' };
    const missing = [...INTENT_CLIENT_ALLOWED_FIELDS].filter((c) => {
      const [type, field] = c.split('.');
      return !(apiSchema.getType(type!) as { getFields?: () => Record<string, unknown> } | undefined)?.getFields?.()[field!];
    });
    expect(missing).toEqual([]);
    expect(clientAllowListRefusal(intentClient, apiSchema, parse('query { paymentIntent(id: "pi1") { id status clientSecret amount { amountMinor } } }'))).toBeUndefined();
    expect(clientAllowListRefusal(intentClient, apiSchema, parse('mutation { confirmPaymentIntent(id: "pi1", paymentMethod: { token: "pm_1" }) { id status } }'))).toBeUndefined();
    for (const doc of ['query { checkoutSession(id: "cs_1") { id } }', 'mutation { capturePaymentIntent(id: "pi1") { id } }', 'query { paymentIntent(id: "pi1") { metadata } }']) {
      expect(clientAllowListRefusal(intentClient, apiSchema, parse(doc))?.extensions.reason).toBe(CLIENT_FIELD_NOT_ALLOWED);
    }
  });
});
