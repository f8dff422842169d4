// BI facts through the gateway (issue 24 item 7, docs/bi.md). Two agents sell a shop's GBP and EUR
// offers for real: agent sessions (one with no recommendation), recommendations (one never checked
// out), agent checkouts paid with the sandbox's test card, a partial refund at the "processor", the
// verified conversions, and a settlement whose builder batch is paid. The facts reach the ledger as
// events (checkout-session's, payment-intent's, the ledger's own conversions), so the report is
// polled until they are in; an earlier day's facts are seeded into ledger.bi_facts directly (no
// clock moves a checkout back in time). Then: exact figures per day and (agent, currency) group,
// GraphQL and REST; tenancy (another merchant sees none); bad input answers stable codes; and the
// export hands out every fact once across pages, including one committed by a transaction that
// began before an earlier page was read.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const START = `mutation { startAgentSession(input: { query: "sim" }) { id } }`;
const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
const CHECKOUT = `mutation($s: ID!, $r: ID!) { checkout(input: { sessionId: $s, recommendationId: $r }) { paymentId } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt) { sandboxTriggerRefund(paymentIntentId: $id, amountMinor: $amount) { refundId } }`;
const CONVERSIONS = `query($m: ID) { conversions(filter: { merchantId: $m }, first: 100) { edges { node { id status agent { id } } } } }`;
const MILESTONE = `mutation($id: ID!) { recordMilestone(conversionId: $id, input: { step: "order_confirmed", status: "completed" }) { id } }`;
const SETTLE = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id } }`;
const BATCHES = `query { settlementBatches(first: 10) { edges { node { id payee status conversions(first: 10) { edges { node { id } } } } } } }`;
const PAY_BATCH = `mutation($id: ID!) { markBatchPaid(id: $id) { status } }`;
const BI_FACTS = `query($input: BiFactsInput!) { biFacts(input: $input) { interval groupBy merchantId rows { bucket merchantId agentId currency channel
  agentSessions recommendations checkouts paymentsSucceeded refunds conversionsVerified paidOut
  amounts { currency gmv { amountMinor currency } refunded { amountMinor } refundRate conversionValue { amountMinor } paidOut { amountMinor } } } } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let db: pg.Pool;
let shopId: string;
let shop: GqlClient;
/** A second shop, in EUR (an offer is priced in its merchant's currency). */
let euroShopId: string;
let euroShop: GqlClient;
let shopKey: string;
let rivalKey: string;
let rival: GqlClient;
const agents: Array<{ id: string; client: GqlClient }> = [];

const DAY_MS = 86_400_000;
const midnight = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS);
/** Two days before the run, at noon UTC: the seeded day. */
const seededDay = new Date(midnight(Date.now()).getTime() - 2 * DAY_MS + 12 * 3_600_000);
const range = { from: midnight(seededDay.getTime()).toISOString(), to: new Date(midnight(Date.now()).getTime() + 2 * DAY_MS).toISOString() };

async function rest(path: string, key: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  let body: unknown = null;
  try { body = JSON.parse(text); } catch { /* NDJSON or CSV */ }
  return { status: res.status, body, text, headers: res.headers };
}

/** An agent sells `offerId` once: session → recommendation → checkout → paid; the payment's id. */
async function sale(agent: GqlClient, offerId: string, merchant: GqlClient): Promise<string> {
  const s = (await agent.ok(START)).startAgentSession.id;
  const r = (await agent.ok(RECOMMEND, { s, o: offerId })).recommend.id;
  const paymentId = (await agent.ok(CHECKOUT, { s, r })).checkout.paymentId as string;
  expect((await merchant.ok(CONFIRM, { id: paymentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  return paymentId;
}

async function report(client: GqlClient, input: Record<string, unknown>) {
  return (await client.ok(BI_FACTS, { input: { ...range, ...input } })).biFacts as { rows: Array<Record<string, any>> };
}

// Its own database: runSettlement settles every merchant's due conversions, and the admin's report
// spans merchants, so another file's stack on the run's shared database would move its figures.
let scratch: Awaited<ReturnType<typeof migratedDatabase>>;

beforeAll(async () => {
  scratch = await migratedDatabase('bi_facts_e2e');
  handoff = await startTestHandoff({ databaseUrl: scratch.url });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  db = new pg.Pool({ connectionString: handoff.env.DATABASE_URL, max: 3 });
  const newShop = async (name: string, currency = 'GBP') => {
    const id = (await admin.ok(CREATE_MERCHANT, {
      input: { name, country: currency === 'GBP' ? 'GB' : 'FR', defaultCurrency: currency, validationPeriodDays: 0, commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 }, conversionFlow: { type: 'instant_checkout' } },
    })).createMerchant.id as string;
    await admin.ok(CONNECT, { m: id });
    return { id, key: (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string };
  };
  const a = await newShop('BI shop');
  shopId = a.id;
  shopKey = a.key;
  shop = admin.as(a.key);
  const e = await newShop('BI euro shop', 'EUR');
  euroShopId = e.id;
  euroShop = admin.as(e.key);
  rivalKey = (await newShop('BI rival')).key;
  rival = admin.as(rivalKey);
  for (const n of [1, 2]) {
    const id = (await admin.ok(REGISTER_AGENT, { input: { name: `BI agent ${n}`, builderName: `BI builder ${n} ${randomUUID()}` } })).registerAgent.id as string;
    agents.push({ id, client: admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId: id } })).createApiKey.key) });
  }
});

afterAll(async () => {
  await db?.end();
  await handoff?.stop();
  await scratch?.drop();
});

describe('BI facts through the gateway', () => {
  it('counts the funnel and the money exactly, per day and per (agent, currency), in GraphQL and REST', async () => {
    const [a1, a2] = agents as [typeof agents[0], typeof agents[0]];
    const gbpOffer = (await admin.ok(CREATE_OFFER, { input: { merchantId: shopId, name: 'SIM GBP', provider: 'BI', price: { amountMinor: 1000, currency: 'GBP' } } })).createOffer.id;
    const eurOffer = (await admin.ok(CREATE_OFFER, { input: { merchantId: euroShopId, name: 'SIM EUR', provider: 'BI', price: { amountMinor: 2500, currency: 'EUR' } } })).createOffer.id;
    // The earlier day, as facts already recorded.
    await db.query(
      `INSERT INTO ledger.bi_facts (kind, fact_key, subject_id, occurred_at, merchant_id, agent_id, channel, currency, amount_minor, source)
       VALUES ('PAYMENT', $1, 'pi_seed_1', $4, $5, $6, 'AGENT', 'GBP', 4000, 'e2e'), ('REFUND', $2, 'pi_seed_1', $4, $5, $6, 'AGENT', 'GBP', 1000, 'e2e'),
              ('PAYMENT', $3, 'pi_seed_2', $4, $8, $7, 'AGENT', 'EUR', 500, 'e2e')`,
      [`seed:${randomUUID()}`, `seed:${randomUUID()}`, `seed:${randomUUID()}`, seededDay, shopId, a1.id, a2.id, euroShopId],
    );

    // Today: agent 1 sells GBP twice; agent 2 sells EUR once (600 refunded), starts a session it
    // recommends nothing in, and recommends the GBP offer without checking out.
    await sale(a1.client, gbpOffer, shop);
    await sale(a1.client, gbpOffer, shop);
    const eurPayment = await sale(a2.client, eurOffer, euroShop);
    await a2.client.ok(START);
    const idle = (await a2.client.ok(START)).startAgentSession.id;
    await a2.client.ok(RECOMMEND, { s: idle, o: gbpOffer });
    await admin.ok(REFUND, { id: eurPayment, amount: 600 });

    // Agent 1's conversions confirmed, settled and its builder paid.
    let a1Conversions: string[] = [];
    await expect.poll(async () => {
      a1Conversions = (await shop.ok(CONVERSIONS, { m: shopId })).conversions.edges.map((e: any) => e.node.id);
      return a1Conversions.length + (await euroShop.ok(CONVERSIONS, { m: euroShopId })).conversions.edges.length;
    }, { timeout: 30_000, interval: 250 }).toBe(3);
    for (const id of a1Conversions) await shop.ok(MILESTONE, { id });
    await admin.ok(SETTLE, { asOf: new Date().toISOString() });
    // Agent 1 sees its builder's batches only.
    const batches = (await a1.client.ok(BATCHES)).settlementBatches.edges.map((e: any) => e.node);
    const payout = batches.find((b: any) => b.payee.startsWith('builder:') && b.conversions.edges.some((e: any) => a1Conversions.includes(e.node.id)));
    expect(payout.conversions.edges.map((e: any) => e.node.id).sort()).toEqual([...a1Conversions].sort());
    expect((await admin.ok(PAY_BATCH, { id: payout.id })).markBatchPaid.status).toBe('PAID');

    // The facts arrive by events: wait until the last ones (the payouts and the refund) are in.
    // The admin's report across merchants, three dimensions together, narrowed to the two shops.
    const byGroup = { interval: 'DAY', groupBy: ['MERCHANT', 'AGENT', 'CURRENCY'] };
    const ours = async () => (await report(admin, byGroup)).rows.filter((r) => r.merchantId === shopId || r.merchantId === euroShopId);
    await expect.poll(async () => {
      const rows = await ours();
      return [rows.reduce((n, r) => n + r.paidOut, 0), rows.reduce((n, r) => n + r.refunds, 0), rows.reduce((n, r) => n + r.agentSessions, 0)];
    }, { timeout: 30_000, interval: 250 }).toEqual([2, 2, 4]);

    const rows = await ours();
    const today = rows.find((r) => r.checkouts > 0)!.bucket as string;
    const seeded = seededDay.toISOString().slice(0, 10);
    const zero = { agentSessions: 0, recommendations: 0, checkouts: 0, paymentsSucceeded: 0, refunds: 0, conversionsVerified: 0, paidOut: 0, amounts: [] as unknown[] };
    const money = (currency: string, gmv: number, refunded: number, refundRate: number | null, conversionValue: number, paidOut: number) => ({
      currency, gmv: { amountMinor: gmv, currency }, refunded: { amountMinor: refunded }, refundRate, conversionValue: { amountMinor: conversionValue }, paidOut: { amountMinor: paidOut },
    });
    const row = (bucket: string, merchantId: string, agentId: string, currency: string | null, figures: Partial<typeof zero>) =>
      ({ ...zero, bucket, merchantId, agentId, currency, channel: null, ...figures });
    const expected = [
      row(seeded, shopId, a1.id, 'GBP', { paymentsSucceeded: 1, refunds: 1, amounts: [money('GBP', 4000, 1000, 0.25, 0, 0)] }),
      row(seeded, euroShopId, a2.id, 'EUR', { paymentsSucceeded: 1, amounts: [money('EUR', 500, 0, 0, 0, 0)] }),
      row(today, shopId, a1.id, null, { agentSessions: 2 }),
      // 10 % commission of 10.00, 80 % of it the builder's: 0.80 a conversion.
      row(today, shopId, a1.id, 'GBP', { recommendations: 2, checkouts: 2, paymentsSucceeded: 2, conversionsVerified: 2, paidOut: 2, amounts: [money('GBP', 2000, 0, 0, 2000, 160)] }),
      row(today, shopId, a2.id, null, { agentSessions: 1 }),
      row(today, shopId, a2.id, 'GBP', { recommendations: 1 }),
      row(today, euroShopId, a2.id, null, { agentSessions: 1 }),
      row(today, euroShopId, a2.id, 'EUR', { recommendations: 1, checkouts: 1, paymentsSucceeded: 1, refunds: 1, conversionsVerified: 1, amounts: [money('EUR', 2500, 600, 0.24, 2500, 0)] }),
    ];
    const order = (list: Array<Record<string, any>>) =>
      [...list].sort((x, y) => JSON.stringify([x.bucket, x.merchantId, x.agentId, x.currency]).localeCompare(JSON.stringify([y.bucket, y.merchantId, y.agentId, y.currency])));
    expect(order(rows)).toEqual(order(expected));
    // The shop's own key: its rows only, the same figures.
    const own = (await report(shop, byGroup)).rows;
    expect(order(own)).toEqual(order(expected.filter((x) => x.merchantId === shopId)));

    // Agent 2's sessions: three started (one recommended nothing), one for each shop it recommended in.
    const sessions = (await report(admin, { interval: 'MONTH', groupBy: ['MERCHANT', 'AGENT'], agentId: a2.id })).rows;
    expect(sessions.map((r) => [r.merchantId, r.agentSessions]).sort()).toEqual([[null, 3], [shopId, 1], [euroShopId, 1]].sort());
    // Not grouped by merchant, a session counts once however many shops it recommended in.
    const perAgent = (await report(admin, { interval: 'MONTH', groupBy: ['AGENT', 'CHANNEL'], agentId: a2.id })).rows;
    expect(perAgent.map((r) => [r.agentId, r.channel, r.agentSessions, r.paymentsSucceeded])).toEqual([[a2.id, 'AGENT', 3, 2]]);

    // REST: the same figures, in the REST names, amounts in minor units.
    const r = await rest(`/v1/bi/facts?interval=day&group_by=currency,agent&merchant_id=${euroShopId}&from=${range.from}&to=${range.to}`, handoff.adminKey);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'bi_facts', interval: 'day', group_by: ['agent', 'currency'], merchant_id: euroShopId });
    expect(r.body.data.find((x: any) => x.bucket === today && x.agent_id === a2.id && x.currency === 'EUR')).toEqual({
      bucket: today, bucket_start: `${today}T00:00:00.000Z`, merchant_id: null, agent_id: a2.id, offer_id: null, currency: 'EUR', channel: null,
      agent_sessions: 0, recommendations: 1, checkouts: 1, payments_succeeded: 1, refunds: 1, conversions_verified: 1, paid_out: 0,
      amounts: [{ currency: 'EUR', gmv_minor: 2500, refunded_minor: 600, refund_rate: 0.24, conversion_value_minor: 2500, paid_out_minor: 0 }],
    });
    expect(r.body.data).toHaveLength(expected.filter((x) => x.merchantId === euroShopId).length);

    // Tenancy: the rival sees none of it, and may not ask for it.
    expect((await report(rival, byGroup)).rows).toEqual([]);
    expect(await rival.errorCode(BI_FACTS, { input: { ...range, ...byGroup, merchantId: shopId } })).toBe('FORBIDDEN');
    expect((await rest(`/v1/bi/facts?interval=day&merchant_id=${shopId}`, rivalKey)).status).toBe(403);
  });

  it('refuses bad input with stable codes', async () => {
    // An unknown dimension is refused by the schema (the enum BiDimension) before anything runs.
    expect(await shop.errorCode(BI_FACTS, { input: { interval: 'DAY', groupBy: ['REGION'] } })).toBe('BAD_USER_INPUT');
    expect(await shop.errorCode(BI_FACTS, { input: { interval: 'DAY', groupBy: ['AGENT', 'AGENT'] } })).toBe('BAD_USER_INPUT');
    expect(await shop.errorCode(BI_FACTS, { input: { interval: 'DAY', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } })).toBe('DATE_RANGE_TOO_LARGE');
    expect(await shop.errorCode(BI_FACTS, { input: { interval: 'DAY', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } })).toBe('INVALID_DATE_RANGE');
    expect(await agents[0]!.client.errorCode(BI_FACTS, { input: { interval: 'DAY' } })).toBe('FORBIDDEN');
    const cases: Array<[string, string, string | undefined]> = [
      ['/v1/bi/facts?interval=day&group_by=agent,region', 'BAD_USER_INPUT', 'group_by'],
      ['/v1/bi/facts?interval=hour', 'BAD_USER_INPUT', 'interval'],
      ['/v1/bi/facts?interval=day&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'DATE_RANGE_TOO_LARGE', undefined],
      ['/v1/exports/bi-facts?since=not-a-cursor', 'BAD_USER_INPUT', 'since'],
      ['/v1/exports/bi-facts?since=bf1.MTp4', 'BAD_USER_INPUT', 'since'], // "1:x"
      ['/v1/exports/bi-facts?limit=0', 'BAD_USER_INPUT', 'limit'],
      ['/v1/exports/bi-facts?format=xml', 'BAD_USER_INPUT', 'format'],
    ];
    for (const [path, code, field] of cases) {
      const r = await rest(path, shopKey);
      expect([path, r.status, r.body?.code, r.body?.field ?? r.body?.param]).toEqual([path, 400, code, field]);
    }
  });

  it('exports every fact once across pages, including one committed late by a transaction that began before a page was read', async () => {
    const all = async (): Promise<Set<string>> =>
      new Set((await db.query(`SELECT id::text FROM ledger.bi_facts WHERE merchant_id = $1`, [shopId])).rows.map((x: { id: string }) => x.id));
    const seen: string[] = [];
    let cursor = '';
    const page = async (format = 'ndjson') => {
      const r = await rest(`/v1/exports/bi-facts?limit=4&format=${format}${cursor ? `&since=${cursor}` : ''}`, shopKey);
      expect(r.status).toBe(200);
      const ids = format === 'csv'
        ? r.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[1]!)
        : r.text.split('\n').filter(Boolean).map((line) => JSON.parse(line).fact_id as string);
      seen.push(...ids);
      cursor = r.headers.get('handoff-next-cursor')!;
      return { ids, hasMore: r.headers.get('handoff-has-more') === 'true' };
    };
    // Everything so far, a page at a time (CSV and NDJSON alike). A page only holds rows of
    // transactions older than any still running on the server (other tests' among them), so the
    // last rows may come a moment later: read on until every committed fact is out.
    let n = 0;
    await expect.poll(async () => {
      while ((await page(n++ % 2 ? 'csv' : 'ndjson')).hasMore);
      const committed = await all();
      return [...committed].every((id) => seen.includes(id));
    }, { timeout: 30_000, interval: 100 }).toBe(true);

    // A slow writer: its transaction begins (and writes a fact) before the next page is read; a
    // quicker one commits a fact after it.
    const slow = await db.connect();
    const insert = (c: pg.PoolClient | pg.Pool, amount: number) =>
      c.query(
        `INSERT INTO ledger.bi_facts (kind, fact_key, subject_id, occurred_at, merchant_id, channel, currency, amount_minor, source)
         VALUES ('PAYMENT', $1, $1, now(), $2, 'DIRECT', 'GBP', $3, 'e2e') RETURNING id::text`,
        [`late:${randomUUID()}`, shopId, amount],
      );
    let lateId: string;
    let quickId: string;
    try {
      await slow.query('BEGIN');
      lateId = (await insert(slow, 11)).rows[0].id;
      quickId = (await insert(db, 22)).rows[0].id;
      // While it is open, nothing past it is handed out (the quick row waits too).
      expect((await page()).ids).toEqual([]);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    // Other transactions on the server may hold the export back a moment: read until both are out.
    await expect.poll(async () => {
      await page();
      return [seen.includes(lateId!), seen.includes(quickId!)];
    }, { timeout: 30_000, interval: 100 }).toEqual([true, true]);
    expect(seen.length).toBe(new Set(seen).size);
    expect(new Set(seen)).toEqual(await all());
    // The rival's export has none of the shop's facts.
    const theirs = await rest('/v1/exports/bi-facts?limit=5000', rivalKey);
    expect(theirs.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).merchant_id).filter((m: string) => m === shopId)).toEqual([]);
  });
});
