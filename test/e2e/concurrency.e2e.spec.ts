// Concurrency through the gateway (RELIABILITY.md, "Idempotency and concurrency"): 1,000
// identical checkouts with one idempotency key → one session, one payment; two settlement runs
// at once → one run, the same batches; a refund racing a settlement run → the commission is
// never paid and forgotten (excluded, or clawed back in the next batch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
const CHECKOUT = `mutation($s: ID!, $r: ID!, $k: String) { checkout(input: { sessionId: $s, recommendationId: $r }, idempotencyKey: $k) { transactionId paymentId } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`;
const REFUND = `mutation($id: ID!) { refundPaymentIntent(id: $id) { id } }`;
const RUN = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id period payee total { amountMinor } } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let merchant: GqlClient;
let agent: GqlClient;
let merchantId: string;
let offerId: string;
let db: (sql: string, params?: unknown[]) => Promise<any[]>;

/** Runs `fn` for every item with at most `limit` in flight (so they overlap without exhausting sockets). */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

async function eventually<T>(probe: () => Promise<T | undefined | false | null>, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function checkoutOnce(key?: string) {
  const s = (await agent.ok(`mutation { startAgentSession(input: { query: "a SIM plan" }) { id } }`)).startAgentSession.id as string;
  const r = (await agent.ok(RECOMMEND, { s, o: offerId })).recommend.id as string;
  return { s, r, key };
}

/** A verified, payable conversion: agent checkout, paid with 4242, the sandbox's webhook → ledger. */
async function paidConversion(): Promise<{ intentId: string; conversionId: string }> {
  const { s, r } = await checkoutOnce();
  const intentId = (await agent.ok(CHECKOUT, { s, r })).checkout.paymentId as string;
  expect((await merchant.ok(CONFIRM, { id: intentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  const conversionId = await eventually(async () => (await db(`SELECT id FROM ledger.conversions WHERE payment_intent_id = $1 AND verification = 'verified'`, [intentId]))[0]?.id, 'the verified conversion');
  return { intentId, conversionId };
}

beforeAll(async () => {
  handoff = await startTestHandoff({ extraEnv: { SANDBOX_PROCESSING_DELAY_MS: '0' } });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const ds = handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
  db = (sql, params = []) => ds.query(sql, params);
  merchantId = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
    input: {
      name: 'Racing Shop', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
      conversionFlow: { type: 'instant_checkout', payableAfter: 'payment_received' },
    },
  })).createMerchant.id;
  await admin.ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
  merchant = admin.as((await admin.ok(`mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key);
  offerId = (await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
    input: { merchantId, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
  })).createOffer.id;
  const agentId = (await admin.ok(`mutation { registerAgent(input: { name: "Racer", builderName: "Race Builders ${Date.now()}" }) { id } }`)).registerAgent.id;
  agent = admin.as((await admin.ok(`mutation($a: ID!) { createApiKey(input: { role: AGENT, agentId: $a }) { key } }`, { a: agentId })).createApiKey.key);
});
afterAll(async () => handoff?.stop());

describe('concurrency through the gateway', () => {
  it('1,000 concurrent identical checkouts with one idempotency key → one checkout session and one payment intent', async () => {
    const { s, r } = await checkoutOnce();
    const results = await pool([...Array(1000).keys()], 50, () => agent.request(CHECKOUT, { s, r, k: 'one-key-for-all' }));
    const errors = results.filter((x) => x.errors?.length).map((x) => x.errors![0]!.extensions?.code);
    expect(errors).toEqual([]);
    expect(new Set(results.map((x) => x.data!.checkout.transactionId)).size).toBe(1);
    expect(new Set(results.map((x) => x.data!.checkout.paymentId)).size).toBe(1);
    const cs = handoff.subgraphs.find((x) => x.name === 'checkout-session')!.app.dataSource;
    const pi = handoff.subgraphs.find((x) => x.name === 'payment-intent')!.app.dataSource;
    const sessions = await cs.query(`SELECT id FROM checkout.checkout_sessions WHERE agent_session_id = $1`, [s]);
    expect(sessions).toHaveLength(1);
    expect(await pi.query(`SELECT id FROM payment.payment_intents WHERE checkout_session_id = $1`, [sessions[0].id])).toHaveLength(1);
  }, 180_000);

  it('two settlement runs at once → one run and the same batches; the conversion is settled once per payee', async () => {
    const { conversionId } = await paidConversion();
    const asOf = `2071-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}T12:00:00.000Z`;
    const [a, b] = await Promise.all([admin.request(RUN, { asOf }), admin.request(RUN, { asOf })]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const ids = (x: typeof a) => x.data!.runSettlement.map((batch: { id: string }) => batch.id).sort();
    expect(ids(a)).toEqual(ids(b));
    expect(await db(`SELECT period FROM ledger.settlement_runs WHERE period = $1`, [asOf.slice(0, 10)])).toHaveLength(1);
    // Whichever run (this one, or another file's on the shared database) settled it: once per payee.
    const lines = await db(`SELECT payee_type, count(*)::int AS n FROM ledger.settlement_lines WHERE conversion_id = $1 AND kind = 'commission' GROUP BY 1 ORDER BY 1`, [conversionId]);
    expect(lines).toEqual([{ payee_type: 'builder', n: 1 }, { payee_type: 'merchant', n: 1 }]);
  }, 120_000);

  it('a refund racing a settlement run: the commission is excluded, or clawed back in the next batch — never paid and forgotten', async () => {
    const clawed: string[] = [];
    for (const [trial, delayMs] of [0, 40, 150].entries()) {
      const { intentId, conversionId } = await paidConversion();
      const refund = new Promise((r) => setTimeout(r, delayMs)).then(() => merchant.ok(REFUND, { id: intentId }));
      const [settled] = await Promise.all([admin.request(RUN, { asOf: `${2072 + trial}-01-01T00:00:00.000Z` }), refund]);
      expect(settled.errors).toBeUndefined();
      await eventually(async () => (await db(`SELECT status FROM ledger.conversions WHERE id = $1`, [conversionId]))[0]?.status === 'CLAWED_BACK', 'the clawback');
      clawed.push(conversionId);
    }
    // New business for the same payees: the next batches net every clawback settled before.
    for (let i = 0; i < 4; i++) await paidConversion();
    expect((await admin.request(RUN, { asOf: '2079-01-01T00:00:00.000Z' })).errors).toBeUndefined();
    for (const id of clawed) {
      const lines = await db(`SELECT payee_type, sum(amount_minor)::int AS total FROM ledger.settlement_lines WHERE conversion_id = $1 GROUP BY 1`, [id]);
      for (const row of lines) expect(row, `conversion ${id}`).toMatchObject({ total: 0 });
      const [c] = await db(`SELECT builder_settled_minor::int AS b, merchant_settled_minor::int AS m FROM ledger.conversions WHERE id = $1`, [id]);
      expect(c, `conversion ${id}`).toEqual({ b: 0, m: 0 });
    }
    expect((await admin.ok(`{ ledgerCheck { balanced } }`)).ledgerCheck.balanced).toBe(true);
  }, 240_000);
});
