// Recurring commissions (issue 22 item 5) through the gateway: an admin and the merchant set the
// recurring rule of the merchant's commission terms (createMerchant, updateMerchant) and read it
// back (FIRST_PAYMENT_ONLY when omitted); bad rules get BAD_USER_INPUT with a stable reason and
// the field, and change nothing; Conversion.subscriptionId / billingPeriod are served (null for a
// conversion that is not a subscription's payment). The ledger's side of a subscription's paid
// periods is driven in subgraphs/conversion-ledger/test/recurring-commissions.int.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const TERMS = `commissionTerms { type cpa { amountMinor currency } percentageBps recurring { rule periods paidPeriod } }`;
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id ${TERMS} } }`;
const UPDATE_MERCHANT = `mutation($id: ID!, $input: UpdateMerchantInput!) { updateMerchant(id: $id, input: $input) { id ${TERMS} } }`;
const MERCHANT = `query($id: ID!) { merchant(id: $id) { id ${TERMS} } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id subscriptionId billingPeriod conversionPath } }`;
const CONVERSION = `query($id: ID!) { conversion(id: $id) { id subscriptionId billingPeriod } }`;

const cpa = { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } };

describe('recurring commission terms through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let merchant: GqlClient;
  let merchantId: string;

  beforeAll(async () => {
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const created = (await admin.ok(CREATE_MERCHANT, {
      input: { name: 'Monthly Boxes', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { ...cpa, recurring: { rule: 'EVERY_RENEWAL', periods: 12 } } },
    })).createMerchant;
    merchantId = created.id;
    expect(created.commissionTerms.recurring).toEqual({ rule: 'EVERY_RENEWAL', periods: 12, paidPeriod: null });
    merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
  }, 120_000);

  afterAll(async () => {
    await handoff?.stop();
  });

  it('the merchant sets MILESTONE at the third paid period and reads it back; omitting the rule is FIRST_PAYMENT_ONLY', async () => {
    const milestone = (await merchant.ok(UPDATE_MERCHANT, { id: merchantId, input: { commissionTerms: { ...cpa, recurring: { rule: 'MILESTONE', paidPeriod: 3 } } } })).updateMerchant;
    expect(milestone.commissionTerms).toEqual({ type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' }, percentageBps: null, recurring: { rule: 'MILESTONE', periods: null, paidPeriod: 3 } });
    expect((await merchant.ok(MERCHANT, { id: merchantId })).merchant.commissionTerms.recurring).toEqual({ rule: 'MILESTONE', periods: null, paidPeriod: 3 });

    const plain = (await merchant.ok(UPDATE_MERCHANT, { id: merchantId, input: { commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 } } })).updateMerchant;
    expect(plain.commissionTerms.recurring).toEqual({ rule: 'FIRST_PAYMENT_ONLY', periods: null, paidPeriod: null });
  });

  it('refuses bad rules with BAD_USER_INPUT, a stable reason and the field, and changes nothing', async () => {
    await merchant.ok(UPDATE_MERCHANT, { id: merchantId, input: { commissionTerms: { ...cpa, recurring: { rule: 'EVERY_RENEWAL', periods: 6 } } } });
    const before = (await merchant.ok(MERCHANT, { id: merchantId })).merchant.commissionTerms;
    const F = 'commissionTerms.recurring';
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ rule: 'EVERY_RENEWAL', periods: 0 }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'EVERY_RENEWAL', periods: -3 }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'EVERY_RENEWAL', periods: 1001 }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'EVERY_RENEWAL', periods: 2_000_000_000 }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'EVERY_RENEWAL' }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'MILESTONE', paidPeriod: 0 }, `${F}.paidPeriod`, 'recurring_commission:paid_period'],
      [{ rule: 'MILESTONE', paidPeriod: -1 }, `${F}.paidPeriod`, 'recurring_commission:paid_period'],
      [{ rule: 'MILESTONE' }, `${F}.paidPeriod`, 'recurring_commission:paid_period'],
      [{ rule: 'MILESTONE', paidPeriod: 3, periods: 2 }, `${F}.periods`, 'recurring_commission:periods'],
      [{ rule: 'FIRST_PAYMENT_ONLY', paidPeriod: 2 }, `${F}.paidPeriod`, 'recurring_commission:paid_period'],
    ];
    for (const [recurring, field, reason] of cases) {
      for (const client of [merchant, admin]) {
        const res = await client.request(UPDATE_MERCHANT, { id: merchantId, input: { commissionTerms: { ...cpa, recurring } } });
        expect(res.status, JSON.stringify(recurring)).toBeLessThan(500);
        expect(res.errors?.[0]?.extensions, JSON.stringify(recurring)).toMatchObject({ code: 'BAD_USER_INPUT', field, reason });
      }
    }
    // An unknown rule is refused by the schema (an enum), before any resolver.
    const unknown = await merchant.request(UPDATE_MERCHANT, { id: merchantId, input: { commissionTerms: { ...cpa, recurring: { rule: 'FOREVER' } } } });
    expect(unknown.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const created = await admin.request(CREATE_MERCHANT, {
      input: { name: 'Never', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { ...cpa, recurring: { rule: 'MILESTONE', paidPeriod: 0 } } },
    });
    expect(created.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'recurring_commission:paid_period' });
    expect((await merchant.ok(MERCHANT, { id: merchantId })).merchant.commissionTerms).toEqual(before);
  });

  it('serves Conversion.subscriptionId and billingPeriod: null for a merchant-reported conversion', async () => {
    const offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId, name: 'Monthly box', price: { amountMinor: 1000, currency: 'GBP' } } })).createOffer.id;
    const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Box finder', builderName: `Boxes ${Date.now()}` } })).registerAgent.id;
    const agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    const sessionId = (await agent.ok(`mutation { startAgentSession(input: { query: "monthly box" }) { id } }`)).startAgentSession.id;
    await agent.ok(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: sessionId, o: offerId });
    const reported = (await merchant.ok(REPORT, { input: { sessionId, orderReference: `BOX-${Date.now()}`, transactionValue: { amountMinor: 1000, currency: 'GBP' } } })).reportConversion;
    expect(reported).toMatchObject({ conversionPath: 'MERCHANT_REPORTED', subscriptionId: null, billingPeriod: null });
    expect((await merchant.ok(CONVERSION, { id: reported.id })).conversion).toEqual({ id: reported.id, subscriptionId: null, billingPeriod: null });
  });
});
