// The delegated payment vault's rules in payment-intent (issue 21 item 2), through its GraphQL
// with an agent's principal, against the real merchant subgraph and sandbox PSP: delegatePayment
// validates the spec's request (nothing vaulted nor kept when it refuses), vaults the card at the
// allowance's merchant's PSP and keeps only its payment method id beside the allowance (ACTIVE);
// an idempotency key is the agent's own (a replay answers the same token and vaults nothing again,
// concurrent issues under one key make one token, another body is IDEMPOTENCY_KEY_REUSED, another
// agent's same key is its own token); no table of payment-intent holds the card number.
// Paying is refused for a token that is not the caller's before anything else is read.
//
// What this harness cannot drive: paying a session with a token (the allowance's amount, currency
// and expiry checks at payment, ACTIVE -> CONSUMED, a decline leaving it ACTIVE). payCheckoutWithDelegatedPayment
// reads the session (merchant, agent, payment intent, total) from checkout-session and confirms
// through the session's payment commitment (checkout-session's beginCheckoutPayment); this harness
// has no checkout-session (CHECKOUT_SESSION_URL unset), so those run in
// test/e2e/delegated-payment.e2e.spec.ts against the whole stack.
import type { Principal } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asMerchant, newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

const DELEGATE = `mutation($input: DelegatePaymentInput!, $key: String) {
  delegatePayment(input: $input, idempotencyKey: $key) {
    replayed
    token { id status metadata paymentIntentId consumedAt declinedAttempts card { brand last4 funding } allowance { reason maxAmountMinor currency checkoutSessionId merchantId expiresAt } }
  }
}`;
const PAY = `mutation($input: PayCheckoutWithDelegatedPaymentInput!) { payCheckoutWithDelegatedPayment(input: $input) { token { id status } } }`;
const NUMBER = '4242424242424242';
const CVC = '737';

const agent = (agentId: string): Principal => ({ kind: 'AGENT', keyId: `key_${agentId}`, agentId });

let h: PaymentsHarness;
let merchantId: string;
let unconnectedId: string;

function input(over: { number?: string; max?: number; currency?: string; expiresAt?: string; action?: string; metadata?: Record<string, unknown>; merchant?: string; session?: string } = {}) {
  return {
    paymentMethod: {
      type: 'card', cardNumberType: 'fpan', virtual: false, number: over.number ?? NUMBER, expMonth: '11', expYear: String(new Date().getUTCFullYear() + 2), name: 'Jane Doe', cvc: CVC,
      checksPerformed: ['avs', 'cvv'], iin: '424242', displayCardFundingType: 'credit', displayBrand: 'visa', displayLast4: '4242', metadata: {},
    },
    allowance: {
      reason: 'one_time', maxAmount: over.max ?? 2000, currency: over.currency ?? 'gbp', checkoutSessionId: over.session ?? newId('cs'), merchantId: over.merchant ?? merchantId,
      expiresAt: over.expiresAt ?? new Date(Date.now() + 3600_000).toISOString(),
    },
    riskSignals: [{ type: 'card_testing', score: 3, action: over.action ?? 'authorized' }],
    metadata: over.metadata ?? { campaign: 'int' },
  };
}

const tokens = async (where = 'true', params: unknown[] = []) =>
  (await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens WHERE ${where}`, params))[0].n as number;
/** Rows of any payment-intent table whose text holds `text`. */
async function rowsHolding(text: string): Promise<number> {
  const tables = (await h.payments.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'payment' AND table_type = 'BASE TABLE'`)) as Array<{ table_name: string }>;
  let n = 0;
  for (const { table_name } of tables) n += (await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payment."${table_name}" t WHERE t::text LIKE $1`, [`%${text}%`]))[0].n as number;
  return n;
}
const sandboxMethods = async () => (await h.sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.payment_methods`))[0].n as number;

beforeAll(async () => {
  h = await startPaymentsHarness();
  merchantId = (await h.testMerchant('Delegated int shop')).id;
  const created = await h.callMerchant(admin, `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
    input: { name: 'No PSP shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } } },
  });
  unconnectedId = created.data!.createMerchant.id as string;
}, 120_000);
afterAll(async () => h?.close());

describe('delegatePayment (the vault)', () => {
  it("vaults the card at the merchant's PSP and keeps only its payment method id beside the allowance, ACTIVE", async () => {
    const a = agent(newId('agt'));
    const session = newId('cs');
    const key = newId('key');
    const r = await h.call(a, DELEGATE, { input: input({ max: 1999, session }), key });
    expect(r.errors).toBeUndefined();
    const out = r.data!.delegatePayment;
    expect(out.replayed).toBe(false);
    expect(out.token).toMatchObject({
      id: expect.stringMatching(/^vt_/), status: 'ACTIVE', paymentIntentId: null, consumedAt: null, declinedAttempts: 0, card: { brand: 'visa', last4: '4242', funding: 'credit' },
      allowance: { reason: 'one_time', maxAmountMinor: 1999, currency: 'GBP', checkoutSessionId: session, merchantId },
      metadata: { campaign: 'int', merchant_id: merchantId, idempotency_key: key },
    });
    const [row] = await h.payments.dataSource.query(`SELECT agent_id, provider, payment_method_id, status FROM payment.delegated_payment_tokens WHERE id = $1`, [out.token.id]);
    expect(row).toEqual({ agent_id: a.agentId, provider: 'TEST', payment_method_id: expect.stringMatching(/^pm_/), status: 'ACTIVE' });
    // The payment method is the sandbox PSP's, made from this card.
    const [pm] = await h.sandbox.dataSource.query(`SELECT id FROM sandbox.payment_methods WHERE id = $1`, [row.payment_method_id]);
    expect(pm?.id).toBe(row.payment_method_id);

    // No table of payment-intent holds the number (the idempotency record names the card by an HMAC);
    // the same scan finds the agent's id (it is kept), so it does look.
    expect(await rowsHolding(a.agentId)).toBeGreaterThan(0);
    expect(await rowsHolding(NUMBER)).toBe(0);
  });

  it('is idempotent per agent and key: a replay answers the same token (nothing vaulted again), concurrent issues make one, another body is refused, another agent is its own', async () => {
    const a = agent(newId('agt'));
    const body = input();
    const key = newId('key');
    const first = (await h.call(a, DELEGATE, { input: body, key })).data!.delegatePayment;
    const methods = await sandboxMethods();
    const again = (await h.call(a, DELEGATE, { input: body, key })).data!.delegatePayment;
    expect(again.replayed).toBe(true);
    expect(again.token).toEqual(first.token);
    expect(await sandboxMethods()).toBe(methods);

    const changed = await h.call(a, DELEGATE, { input: { ...body, metadata: { campaign: 'other' } }, key });
    expect(changed.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The card is part of the request: the same key with another card is another body.
    const otherCard = await h.call(a, DELEGATE, { input: { ...body, paymentMethod: { ...body.paymentMethod, number: '5555555555554444' } }, key });
    expect(otherCard.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another agent's key is its own, even with the same value.
    const b = agent(newId('agt'));
    const theirs = (await h.call(b, DELEGATE, { input: body, key })).data!.delegatePayment;
    expect(theirs.replayed).toBe(false);
    expect(theirs.token.id).not.toBe(first.token.id);
    expect(await tokens('agent_id = $1', [a.agentId])).toBe(1);
    expect(await tokens('agent_id = $1', [b.agentId])).toBe(1);

    // Eight concurrent issues under one new key: one token; each answer is it (or the key's in-flight refusal).
    const c = agent(newId('agt'));
    const raceKey = newId('key');
    const raced = await Promise.all(Array.from({ length: 8 }, () => h.call(c, DELEGATE, { input: body, key: raceKey })));
    const ids = new Set(raced.filter((r) => r.data?.delegatePayment).map((r) => r.data!.delegatePayment.token.id as string));
    expect(ids.size).toBe(1);
    for (const r of raced) if (r.errors) expect(r.errors[0]!.extensions?.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(raced.filter((r) => r.data?.delegatePayment && !r.data.delegatePayment.replayed)).toHaveLength(1);
    expect(await tokens('agent_id = $1', [c.agentId])).toBe(1);
  });

  it('refuses a bad request with the field named and the card never quoted; nothing vaulted nor kept', async () => {
    const a = agent(newId('agt'));
    const before = await sandboxMethods();
    const year = new Date().getUTCFullYear();
    const cases: Array<[ReturnType<typeof input>, string]> = [
      [input({ number: '4242424242424241' }), 'paymentMethod.number'],
      [input({ max: 0 }), 'allowance.maxAmount'],
      [input({ max: -5 }), 'allowance.maxAmount'],
      [input({ currency: 'GBP' }), 'allowance.currency'],
      [input({ currency: 'xyz' }), 'allowance.currency'],
      [input({ expiresAt: new Date(Date.now() - 1000).toISOString() }), 'allowance.expiresAt'],
      [input({ expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }), 'allowance.expiresAt'],
      [input({ expiresAt: 'tomorrow' }), 'allowance.expiresAt'],
      [input({ action: 'blocked' }), 'riskSignals.action'],
      [input({ metadata: { nested: { a: 1 } } }), 'metadata'],
      [{ ...input(), allowance: { ...input().allowance, reason: 'recurring' } }, 'allowance.reason'],
      [{ ...input(), paymentMethod: { ...input().paymentMethod, expYear: String(year - 1) } }, 'paymentMethod.expYear'],
      [{ ...input(), paymentMethod: { ...input().paymentMethod, cvc: '12' } }, 'paymentMethod.cvc'],
      [{ ...input(), riskSignals: [] }, 'riskSignals'],
    ];
    for (const [body, field] of cases) {
      const r = await h.call(a, DELEGATE, { input: body, key: newId('key') });
      expect(r.errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(JSON.stringify(r.errors)).not.toContain(body.paymentMethod.number);
    }
    // A merchant without a payment processor: nothing to vault at.
    const none = await h.call(a, DELEGATE, { input: input({ merchant: unconnectedId }), key: newId('key') });
    expect(none.errors?.[0]?.extensions?.code).toBe('MERCHANT_NO_PAYMENT_CONNECTOR');
    expect(await tokens('agent_id = $1', [a.agentId])).toBe(0);
    expect(await sandboxMethods()).toBe(before);
  });

  it("the agent's key only: a merchant may not delegate nor pay", async () => {
    const r = await h.call(asMerchant(merchantId), DELEGATE, { input: input(), key: newId('key') });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const p = await h.call(asMerchant(merchantId), PAY, { input: { checkoutSessionId: newId('cs'), token: 'vt_0123' } });
    expect(p.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('payCheckoutWithDelegatedPayment (what needs no checkout session)', () => {
  it("another agent's token, an unknown or malformed one: DELEGATED_TOKEN_NOT_FOUND, the token unchanged", async () => {
    const owner = agent(newId('agt'));
    const session = newId('cs');
    const vt = (await h.call(owner, DELEGATE, { input: input({ session }), key: newId('key') })).data!.delegatePayment.token.id as string;
    const thief = agent(newId('agt'));
    for (const token of [vt, 'vt_01HZZZZZZZZZZZZZZZZZZZZZZZ', 'not-a-token', 'x'.repeat(500)]) {
      const r = await h.call(thief, PAY, { input: { checkoutSessionId: session, token } });
      expect(r.errors?.[0]?.extensions?.code, token.slice(0, 20)).toBe('DELEGATED_TOKEN_NOT_FOUND');
    }
    const [row] = await h.payments.dataSource.query(`SELECT status, declined_attempts, payment_intent_id FROM payment.delegated_payment_tokens WHERE id = $1`, [vt]);
    expect(row).toEqual({ status: 'ACTIVE', declined_attempts: 0, payment_intent_id: null });
  });
});
