// Checkout KPIs and exports through the gateway (issue 19 item 6, seed 003 §16). A shop opens six
// checkout sessions: one paid at once, one declined then paid, one through 3-D Secure, one declined
// and left open, two expired untouched (and a rival shop pays one of its own). Then:
// the KPIs (GraphQL checkoutMetrics and REST GET /v1/checkout/metrics) count exactly 6 initiated,
// 5 payment attempts, 1 3-D Secure challenge, conversion 0.5, abandonment 0.3333 and a purchase
// time, the rival's only its own, and the same figures are gauges on /metrics; an export of the
// checkout events as CSV (REST) and of the failed sessions as NDJSON (GraphQL) is written by its
// job, downloaded through its signed link, and holds exactly the shop's rows; a tampered link or
// an expired one is refused with its code; the rival cannot read the export; bad ranges and bodies
// answer their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { waitFor } from './sweep/tenants.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const THREE_DS = `mutation($id: ID!) { completeThreeDSecure(id: $id, approved: true) { id status } }`;
const EXPIRE = `mutation($id: ID!) { expireCheckoutSession(id: $id) { status } }`;
const STATUS = `query($id: ID!) { checkoutSession(id: $id) { status } }`;
const METRICS = `query($m: ID, $from: DateTime, $to: DateTime) { checkoutMetrics(merchantId: $m, from: $from, to: $to) {
  merchantId checkoutInitiated paymentAttempts threeDSChallenges completed abandoned open conversionRate abandonRate avgTimeToPurchaseSeconds } }`;
const CREATE_EXPORT = `mutation($input: CreateExportInput!) { createExport(input: $input) { id status } }`;
const EXPORT = `query($id: ID!, $ttl: Int) { export(id: $id) { id status rowCount byteCount download(expiresInSeconds: $ttl) { url expiresAt } } }`;
const EXPORTS = `query { exports(first: 50) { edges { node { id } } } }`;

const GOOD = '4242424242424242';
const INSUFFICIENT = '4000000000009995';
const THREE_D_SECURE = '4000002760003184';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;

interface Shop {
  id: string;
  key: string;
  client: GqlClient;
}

async function newShop(name: string): Promise<Shop> {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, client: admin.as(key) };
}

async function rest(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(path.startsWith('http') ? path : `${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** RFC 4180 rows (quoted fields with "" escapes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  if (field || row.length) throw new Error('the CSV does not end with CRLF');
  return rows;
}

const session = (shop: Shop) =>
  shop.client.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: gbp(2000), quantity: 1 }] } }).then((d) => d.createCheckoutSession as { id: string; paymentIntentId: string });

const waitStatus = (shop: Shop, id: string, status: string) =>
  waitFor(async () => ((await shop.client.ok(STATUS, { id })).checkoutSession.status === status ? true : undefined), `${id} ${status}`);

/** Polls an export until its job is done; its final state. */
async function ready(shop: Shop, id: string, ttl: number | null = null): Promise<any> {
  await expect.poll(async () => (await shop.client.ok(EXPORT, { id })).export.status, { timeout: 30_000 }).toMatch(/^(READY|FAILED)$/);
  return (await shop.client.ok(EXPORT, { id, ttl })).export;
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('checkout KPIs and exports', () => {
  let shop: Shop;
  let rival: Shop;
  let from: string;
  let to: string;
  const ids: string[] = [];
  let declinedThenPaid: string;
  let declinedOpen: string;

  beforeAll(async () => {
    [shop, rival] = await Promise.all([newShop('Analytics Shop Ltd'), newShop('Analytics Rival Ltd')]);
    from = new Date(Date.now() - 60_000).toISOString();
    const [paid, retried, challenged, declinedLeft, untouched, forgotten, rivals] = await Promise.all([
      session(shop), session(shop), session(shop), session(shop), session(shop), session(shop), session(rival),
    ]);
    ids.push(paid.id, retried.id, challenged.id, declinedLeft.id, untouched.id, forgotten.id);
    declinedThenPaid = retried.id;
    declinedOpen = declinedLeft.id;
    const declined = async (s: { paymentIntentId: string }) => expect((await shop.client.request(CONFIRM, { id: s.paymentIntentId, card: INSUFFICIENT })).errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    await Promise.all([
      shop.client.ok(CONFIRM, { id: paid.paymentIntentId, card: GOOD }),
      declined(retried).then(() => shop.client.ok(CONFIRM, { id: retried.paymentIntentId, card: GOOD })),
      shop.client.ok(CONFIRM, { id: challenged.paymentIntentId, card: THREE_D_SECURE }).then((d) => {
        expect(d.confirmPaymentIntent.status).toBe('REQUIRES_ACTION');
        return shop.client.ok(THREE_DS, { id: challenged.paymentIntentId });
      }),
      declined(declinedLeft),
      shop.client.ok(EXPIRE, { id: untouched.id }),
      shop.client.ok(EXPIRE, { id: forgotten.id }),
      rival.client.ok(CONFIRM, { id: rivals.paymentIntentId, card: GOOD }),
    ]);
    await Promise.all([paid.id, retried.id, challenged.id].map((id) => waitStatus(shop, id, 'COMPLETE')));
    // The declined session's failure is recorded by the payment events' job (the export of failed sessions lists it).
    await waitFor(async () => {
      const listed = (await rest('GET', '/v1/checkout/failures?limit=100', shop.key)).body.data as Array<{ checkout_id: string }>;
      return listed.some((f) => f.checkout_id === declinedLeft.id) ? true : undefined;
    }, 'the declined session among the failures');
    to = new Date(Date.now() + 60_000).toISOString();
    // Payment-intent's timeline entries arrive by queue: wait for every attempt and challenge.
    await waitFor(async () => {
      const k = (await shop.client.ok(METRICS, { from, to })).checkoutMetrics;
      return k.paymentAttempts >= 5 && k.threeDSChallenges >= 1 ? true : undefined;
    }, "every attempt and challenge in the shop's timelines");
  }, 120_000);

  it('counts exactly what happened to the shop\'s sessions, in GraphQL and REST; the rival sees only its own', async () => {
    const k = (await shop.client.ok(METRICS, { from, to })).checkoutMetrics;
    expect(k).toMatchObject({
      merchantId: shop.id, checkoutInitiated: 6, paymentAttempts: 5, threeDSChallenges: 1, completed: 3, abandoned: 2, open: 1, conversionRate: 0.5, abandonRate: 0.3333,
    });
    expect(k.avgTimeToPurchaseSeconds).toBeGreaterThan(0);
    const r = await rest('GET', `/v1/checkout/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, shop.key);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      object: 'checkout_metrics', merchant_id: shop.id, checkout_initiated: 6, payment_attempts: 5, '3ds_challenges': 1, abandon_rate: 0.3333, conversion_rate: 0.5,
      avg_time_to_purchase: k.avgTimeToPurchaseSeconds,
    });
    // A range before any of it counts nothing; the rival counts its one paid session; an admin reads the shop's.
    expect((await shop.client.ok(METRICS, { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' })).checkoutMetrics).toMatchObject({ checkoutInitiated: 0, conversionRate: null });
    expect((await rival.client.ok(METRICS, { from, to })).checkoutMetrics).toMatchObject({ merchantId: rival.id, checkoutInitiated: 1, completed: 1, paymentAttempts: 1 });
    expect((await admin.ok(METRICS, { m: shop.id, from, to })).checkoutMetrics).toMatchObject({ checkoutInitiated: 6, paymentAttempts: 5 });
    expect(await rival.client.errorCode(METRICS, { m: shop.id, from, to })).toBe('FORBIDDEN');
    expect((await rest('GET', `/v1/checkout/metrics?merchant_id=${shop.id}`, rival.key)).body.code).toBe('FORBIDDEN');
  });

  it('publishes the last 24 h per merchant as gauges on /metrics', async () => {
    const gauge = (text: string, name: string, merchant: string) => new RegExp(`^${name}\\{[^}]*merchant_id="${merchant}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1];
    await expect.poll(async () => gauge((await rest('GET', '/metrics', null)).text, 'handoff_checkout_initiated', shop.id), { timeout: 20_000 }).toBe('6');
    const text = (await rest('GET', '/metrics', null)).text;
    expect(gauge(text, 'handoff_checkout_payment_attempts', shop.id)).toBe('5');
    expect(gauge(text, 'handoff_checkout_3ds_challenges', shop.id)).toBe('1');
    expect(gauge(text, 'handoff_checkout_conversion_rate', shop.id)).toBe('0.5');
    expect(gauge(text, 'handoff_checkout_abandon_rate', shop.id)).toBe('0.3333');
    expect(Number(gauge(text, 'handoff_checkout_avg_time_to_purchase_seconds', shop.id))).toBeGreaterThan(0);
    expect(gauge(text, 'handoff_checkout_initiated', rival.id)).toBe('1');
    expect(text).toMatch(/^handoff_checkout_kpis_up\{[^}]*\} 1$/m);
  });

  it('exports the checkout events as CSV through a signed link, holding exactly the shop\'s rows', async () => {
    // Three concurrent requests with one Idempotency-Key: one export.
    const body = { type: 'checkout_events', format: 'csv', from, to };
    const tries = await Promise.all([1, 2, 3].map(() => rest('POST', '/v1/checkout/exports', shop.key, body, { 'idempotency-key': `csv-${shop.id}` })));
    const created = tries.find((t) => t.status === 202)!;
    for (const t of tries) expect(t.status === 202 ? t.body.id : t.body.code, JSON.stringify(t.body)).toMatch(new RegExp(`^(${created.body.id}|IDEMPOTENCY_KEY_IN_USE)$`));
    expect((await shop.client.ok(EXPORTS)).exports.edges.filter((e: { node: { id: string } }) => tries.some((t) => t.body.id === e.node.id))).toHaveLength(1);
    // A replay answers the export as it is now (its job may have started).
    expect(created.body).toMatchObject({ object: 'checkout_export', status: expect.stringMatching(/^(pending|running|ready)$/), type: 'checkout_events', format: 'csv', merchant_id: shop.id });
    await ready(shop, created.body.id);
    const got = await rest('GET', `/v1/checkout/exports/${created.body.id}`, shop.key);
    expect(got.body).toMatchObject({ status: 'ready', error: null });
    expect(got.body.download_url).toMatch(/\/v1\/checkout\/exports\/cex_[0-9A-Z]+\/download\?expires=\d+&signature=[0-9a-f]{64}$/);
    const file = await rest('GET', got.body.download_url, null);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(Number(file.headers.get('content-length'))).toBe(got.body.byte_count);
    const [header, ...rows] = parseCsv(file.text);
    expect(header).toEqual(['event_id', 'checkout_id', 'occurred_at', 'kind', 'summary', 'actor', 'data']);
    expect(rows.length).toBe(got.body.row_count);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(ids));
    const kinds = rows.map((r) => r[3]);
    expect(kinds.filter((k) => k === 'checkout.created')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'payment.confirm_attempted')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'payment.requires_action')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'checkout.completed')).toHaveLength(3);
    const decline = rows.find((r) => r[3] === 'payment.failed' && r[1] === declinedThenPaid)!;
    expect(JSON.parse(decline[6]!)).toMatchObject({ decline_code: 'insufficient_funds' });
    expect([...rows.map((r) => r[2]!)]).toEqual([...rows.map((r) => r[2]!)].sort());
  });

  it('exports the failed sessions as NDJSON (GraphQL); a tampered link is refused, an expired one too, and the rival cannot read it', async () => {
    const { id } = (await shop.client.ok(CREATE_EXPORT, { input: { kind: 'FAILED_SESSIONS', format: 'NDJSON', from, to } })).createExport;
    const done = await ready(shop, id);
    expect(done).toMatchObject({ status: 'READY', rowCount: 2 });
    const file = await rest('GET', done.download.url, null);
    expect(file.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = file.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.checkout_id).sort()).toEqual([declinedThenPaid, declinedOpen].sort());
    expect(lines.find((l) => l.checkout_id === declinedOpen)).toMatchObject({
      reason: 'payment_declined:insufficient_funds', category: 'payment_declined', decline_code: 'insufficient_funds', checkout_status: 'open', resolution: null,
    });
    expect(lines.find((l) => l.checkout_id === declinedThenPaid)).toMatchObject({ checkout_status: 'complete', resolution: 'completed' });

    const url = new URL(done.download.url);
    const signature = url.searchParams.get('signature')!;
    const tampered = [
      `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${signature.slice(0, -1)}${signature.endsWith('a') ? 'b' : 'a'}`,
      `${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 3600}&signature=${signature}`,
      `${url.pathname.replace(id, `${id}X`)}${url.search}`,
      url.pathname,
    ];
    for (const path of tampered) expect((await rest('GET', path, null)).body, path).toMatchObject({ code: 'DOWNLOAD_LINK_INVALID' });
    expect((await rest('GET', `${url.pathname}${url.search}`, null)).status).toBe(200);
    // A link of one second, refused once it has passed.
    const short = (await shop.client.ok(EXPORT, { id, ttl: 1 })).export.download.url as string;
    await expect.poll(async () => (await rest('GET', short, null)).body?.code, { timeout: 10_000 }).toBe('DOWNLOAD_LINK_EXPIRED');
    expect((await rest('GET', short, null)).status).toBe(403);

    expect((await rival.client.ok(EXPORT, { id })).export).toBeNull();
    expect((await rest('GET', `/v1/checkout/exports/${id}`, rival.key)).body).toMatchObject({ code: 'EXPORT_NOT_FOUND' });
    expect((await rival.client.ok(EXPORTS)).exports.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(id);
    expect((await shop.client.ok(EXPORTS)).exports.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
    expect((await rest('POST', '/v1/checkout/exports', rival.key, { type: 'checkout_events', from, to, merchant_id: shop.id })).status).toBe(403);
  });

  it('answers bad ranges and bodies with their codes, writing nothing', async () => {
    const before = (await shop.client.ok(EXPORTS)).exports.edges.length;
    const year = (days: number) => new Date(Date.parse(from) + days * 86_400_000).toISOString();
    const metrics = (q: string) => rest('GET', `/v1/checkout/metrics?${q}`, shop.key);
    expect((await metrics(`from=${to}&to=${from}`)).body).toMatchObject({ code: 'INVALID_DATE_RANGE' });
    expect((await metrics(`from=${from}&to=${year(400)}`)).body).toMatchObject({ code: 'DATE_RANGE_TOO_LARGE' });
    expect(await metrics('from=yesterday')).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'from' } });
    expect(await shop.client.errorCode(METRICS, { from: to, to: from })).toBe('INVALID_DATE_RANGE');
    const post = (body: unknown) => rest('POST', '/v1/checkout/exports', shop.key, body);
    expect(await post({ type: 'everything', from, to })).toMatchObject({ status: 400, body: { field: 'type' } });
    expect(await post({ type: 'checkout_events', format: 'xlsx', from, to })).toMatchObject({ status: 400, body: { field: 'format' } });
    expect(await post({ type: 'checkout_events', from })).toMatchObject({ status: 400, body: { field: 'to' } });
    expect(await post({ type: 'checkout_events', from: to, to: from })).toMatchObject({ status: 400, body: { code: 'INVALID_DATE_RANGE' } });
    expect(await post({ type: 'checkout_events', from: '2000-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' })).toMatchObject({ status: 400, body: { code: 'DATE_RANGE_TOO_LARGE' } });
    expect(await admin.errorCode(CREATE_EXPORT, { input: { kind: 'CHECKOUT_EVENTS', format: 'CSV', from, to } })).toBe('BAD_USER_INPUT');
    expect((await rest('GET', `/v1/checkout/exports/${'x'.repeat(500)}`, shop.key)).status).toBe(404);
    expect((await shop.client.ok(EXPORTS)).exports.edges.length).toBe(before);
    // A year is one export (its range allowed, the rows read page by page).
    const yearly = await rest('POST', '/v1/checkout/exports', shop.key, { type: 'checkout_events', format: 'ndjson', from: year(-365), to });
    expect(yearly.status).toBe(202);
    expect(await ready(shop, yearly.body.id)).toMatchObject({ status: 'READY' });
  });
});
