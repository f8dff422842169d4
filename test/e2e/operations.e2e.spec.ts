// Operator tools through the gateway (issue 19, item 8; docs/api.md "Operations"): an admin key
// only (401 without a key, 403 with a merchant's); /v1/checkout/health answers every subsystem
// `ok` on a healthy stack; diagnostics name every package's queues, the open checkout sessions
// and measured latencies; a job a package's processor rejects for good is listed among its queue's
// failed jobs and replayed (re-run from its first attempt), once per Idempotency-Key; a job
// running long is listed by /v1/checkout/threads; /admin/queues serves the queue dashboard to an
// admin session (cookie) or admin key, and nothing to anyone else.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, WorkerHeartbeat } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SUBSYSTEMS = ['database', 'redis', 'merchant', 'checkout-session', 'payment-intent', 'conversion-ledger', 'psp', 'workers', 'queues', 'webhook_delivery', 'hosted_pages'];

let handoff: RunningHandoff;
let admin: GqlClient;
let merchantKey: string;
let redis: Redis;
const closers: Array<() => Promise<unknown>> = [];

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(method: string, path: string, opts: { key?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const key = opts.key === undefined ? handoff.adminKey : opts.key;
  const res = await fetch(`${handoff.gatewayUrl}${path}`, { method, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...opts.headers }, redirect: 'manual' });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

async function ok(method: string, path: string, opts: Parameters<typeof call>[2] = {}): Promise<any> {
  const r = await call(method, path, opts);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const id = (await admin.ok(CREATE_MERCHANT, { input: { name: 'Ops Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  merchantKey = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  redis = new Redis(handoff.env.REDIS_URL!);
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  redis?.disconnect();
  await handoff?.stop();
});

describe('who may use them', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/v1/checkout/health'],
    ['GET', '/v1/checkout/diagnostics'],
    ['GET', '/v1/checkout/threads'],
    ['GET', '/v1/checkout/queues'],
    ['GET', '/v1/checkout/queues/webhook-ingest/failed'],
    ['POST', '/v1/checkout/queues/webhook-ingest/failed/1/retry'],
    ['POST', '/v1/checkout/queues/webhook-ingest/failed/retry'],
    ['POST', '/admin/queues/session'],
  ];
  it('no key → 401 UNAUTHENTICATED; a merchant key → 403 FORBIDDEN', async () => {
    for (const [method, path] of routes) {
      const none = await call(method, path, { key: null });
      expect([none.status, none.body.code], `${method} ${path}`).toEqual([401, 'UNAUTHENTICATED']);
      const merchant = await call(method, path, { key: merchantKey });
      expect([merchant.status, merchant.body.code], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
      expect(merchant.body.error).toEqual(expect.any(String));
    }
  });
});

describe('health and diagnostics', () => {
  it('a healthy stack: every subsystem ok, each saying why', async () => {
    const health = await ok('GET', '/v1/checkout/health');
    expect(Object.keys(health.subsystems).sort()).toEqual([...SUBSYSTEMS].sort());
    for (const name of SUBSYSTEMS) expect(health.subsystems[name], name).toEqual({ status: 'ok', detail: expect.any(String) });
    expect(health.status).toBe('ok');
    expect(health.subsystems.psp.detail).toMatch(/sandbox PSP at http:\/\/127\.0\.0\.1:\d+: ready/);
    expect(health.subsystems.workers.detail).toMatch(/merchant: 1 process; checkout-session: 1 process; payment-intent: 1 process; conversion-ledger: 1 process/);
    expect(Date.parse(health.checked_at)).not.toBeNaN();
  });

  it('diagnostics: every package’s queues with their depths, the workers, the open checkout sessions, latencies', async () => {
    const before = await ok('GET', '/v1/checkout/diagnostics');
    const packageOf = Object.fromEntries(before.queues.map((q: any) => [q.queue, q.package]));
    expect(packageOf).toMatchObject({
      'checkout-payment-events': 'checkout-session',
      'checkout-session-expiry': 'checkout-session',
      'webhook-ingest': 'payment-intent',
      'ledger-payment-events': 'conversion-ledger',
      'ledger-settlement': 'conversion-ledger',
    });
    for (const q of before.queues) expect(q).toEqual({ queue: expect.any(String), package: expect.any(String), waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), prioritized: expect.any(Number), failed: expect.any(Number), completed: expect.any(Number) });
    expect(before.workers.map((w: any) => [w.package, w.alive])).toEqual([
      ['merchant', true],
      ['checkout-session', true],
      ['payment-intent', true],
      ['conversion-ledger', true],
    ]);
    expect(before.latencies.subgraph_calls.merchant).toEqual({ count: expect.any(Number), average_ms: expect.any(Number) });
    expect(before.latencies.subgraph_calls.merchant.count).toBeGreaterThan(0);
    expect(before.latencies.http_routes['/graphql'].count).toBeGreaterThan(0);

    // One more open checkout session is one more in flight.
    const created = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currency: 'GBP', line_items: [{ name: 'Mug', amount: 1200, quantity: 1 }] }),
    });
    expect(created.status).toBe(201);
    const after = await ok('GET', '/v1/checkout/diagnostics');
    expect(after.inflight.open_checkout_sessions).toBe(before.inflight.open_checkout_sessions + 1);
  });
});

describe('failed jobs of every queue', () => {
  let jobId: string;
  let firstFailedAt: string;

  it('a job its processor rejects for good is listed in its queue’s failed jobs, and health says so', async () => {
    // The ledger's settlement worker cannot run a settlement "as of" no date: it fails at once, writing nothing.
    const queue = new Queue('ledger-settlement', { connection: redis, prefix: handoff.env.QUEUE_PREFIX });
    closers.push(() => queue.close());
    jobId = String((await queue.add('run-settlement', { asOf: 'not-a-date' }, { attempts: 1, removeOnFail: false })).id);
    await expect.poll(async () => (await ok('GET', '/v1/checkout/queues/ledger-settlement/failed')).data.map((j: any) => j.id), { timeout: 20_000 }).toContain(jobId);

    const list = await ok('GET', '/v1/checkout/queues/ledger-settlement/failed?limit=1');
    expect(list).toEqual({ data: [expect.any(Object)], has_more: false, next_cursor: null });
    const job = list.data[0];
    expect(job).toEqual({
      id: jobId,
      queue: 'ledger-settlement',
      name: 'run-settlement',
      failed_reason: 'Invalid time value',
      attempts_made: 1,
      attempts: 1,
      created_at: expect.any(String),
      failed_at: expect.any(String),
      data: { asOf: 'not-a-date' },
    });
    firstFailedAt = job.failed_at;
    const queues = (await ok('GET', '/v1/checkout/queues')).data;
    expect(queues.find((q: any) => q.queue === 'ledger-settlement')).toMatchObject({ package: 'conversion-ledger', failed: 1 });
    const health = await ok('GET', '/v1/checkout/health');
    expect(health.status).toBe('degraded');
    expect(health.subsystems.queues).toEqual({ status: 'degraded', detail: expect.stringContaining('ledger-settlement: 1 failed') });
  });

  it('an operator replays it (once per Idempotency-Key): it runs again from its first attempt', async () => {
    const key = `ops-${randomBytes(4).toString('hex')}`;
    const path = `/v1/checkout/queues/ledger-settlement/failed/${jobId}/retry`;
    const first = await call('POST', path, { headers: { 'idempotency-key': key } });
    expect([first.status, first.body]).toEqual([200, { queue: 'ledger-settlement', id: jobId, replayed: true }]);
    const again = await call('POST', path, { headers: { 'idempotency-key': key } });
    expect([again.status, again.body, again.headers.get('idempotent-replayed')]).toEqual([200, first.body, 'true']);
    const reused = await call('POST', '/v1/checkout/queues/ledger-settlement/failed/retry', { headers: { 'idempotency-key': key } });
    expect([reused.status, reused.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    // It ran again (and, its data still being no date, failed again: a later failure, one attempt).
    await expect
      .poll(async () => (await ok('GET', '/v1/checkout/queues/ledger-settlement/failed')).data.find((j: any) => j.id === jobId)?.failed_at ?? null, { timeout: 20_000 })
      .not.toBeOneOf([null, firstFailedAt]);
    const rerun = (await ok('GET', '/v1/checkout/queues/ledger-settlement/failed')).data.find((j: any) => j.id === jobId);
    expect(rerun.attempts_made).toBe(1);

    const all = await call('POST', '/v1/checkout/queues/ledger-settlement/failed/retry');
    expect([all.status, all.body]).toEqual([200, { queue: 'ledger-settlement', replayed: 1, remaining_failed: expect.any(Number) }]);
  });

  it('bad input: unknown queue or job → 404 NOT_FOUND with a reason; a malformed name, limit or cursor → 400', async () => {
    const unknownQueue = await call('GET', '/v1/checkout/queues/no-such-queue/failed');
    expect([unknownQueue.status, unknownQueue.body.code, unknownQueue.body.reason]).toEqual([404, 'NOT_FOUND', 'queue:not_found']);
    const unknownJob = await call('POST', '/v1/checkout/queues/ledger-settlement/failed/nope/retry');
    expect([unknownJob.status, unknownJob.body.code, unknownJob.body.reason]).toEqual([404, 'NOT_FOUND', 'job:not_found']);
    for (const [path, field] of [
      ['/v1/checkout/queues/bad%20name/failed', 'queue'],
      ['/v1/checkout/queues/ledger-settlement/failed?limit=0', 'limit'],
      ['/v1/checkout/queues/ledger-settlement/failed?limit=x', 'limit'],
      ['/v1/checkout/queues/ledger-settlement/failed?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['/v1/checkout/threads?older_than_seconds=-1', 'older_than_seconds'],
    ] as const) {
      const r = await call('GET', path);
      expect([r.status, r.body.code, r.body.field], path).toEqual([400, 'BAD_USER_INPUT', field]);
    }
    const badKey = await call('POST', `/v1/checkout/queues/ledger-settlement/failed/retry`, { headers: { 'idempotency-key': 'ä' } });
    expect([badKey.status, badKey.body.field]).toEqual([400, 'Idempotency-Key']);
  });
});

describe('threads', () => {
  it('lists a job active for long, with its queue, package, id, name, start and attempts', async () => {
    // A worker of a probe package, registered the way every package's is (its heartbeat).
    const prefix = handoff.env.QUEUE_PREFIX!;
    const heartbeat = new WorkerHeartbeat({ redis, prefix, packageName: 'e2e-probe', queues: () => ['e2e-long-running'], logger: createLogger('test', 'silent') });
    await heartbeat.start();
    closers.push(() => heartbeat.stop());
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const worker = new Worker('e2e-long-running', () => released, { connection: { url: handoff.env.REDIS_URL }, prefix });
    closers.push(async () => {
      release();
      await worker.close();
    });
    const queue = new Queue('e2e-long-running', { connection: redis, prefix });
    closers.push(() => queue.close());
    const job = await queue.add('finalize-order', { checkoutId: 'cs_probe' });

    await expect.poll(async () => (await ok('GET', '/v1/checkout/threads?older_than_seconds=0')).data.map((j: any) => j.id), { timeout: 20_000 }).toContain(String(job.id));
    const listed = (await ok('GET', '/v1/checkout/threads?older_than_seconds=0')).data.find((j: any) => j.id === String(job.id));
    expect(listed).toEqual({ queue: 'e2e-long-running', package: 'e2e-probe', id: String(job.id), name: 'finalize-order', started_at: expect.any(String), running_for_ms: expect.any(Number), attempts_made: 0 });
    expect((await ok('GET', '/v1/checkout/threads?older_than_seconds=3600')).data).toEqual([]);
    release();
  });
});

describe('the queue dashboard at /admin/queues', () => {
  it('401 without a session or key, 403 with a merchant key or a change other than a retry; an admin session sees every queue', async () => {
    const anonymous = await call('GET', '/admin/queues', { key: null });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const html = await call('GET', '/admin/queues', { key: null, headers: { accept: 'text/html' } });
    expect([html.status, html.body]).toEqual([401, expect.stringContaining('/admin/queues/login')]);
    expect((await call('GET', '/admin/queues', { key: merchantKey })).status).toBe(403);
    const forged = await call('GET', '/admin/queues/api/queues', { key: null, headers: { cookie: `handoff_queues_session=v1.9999999999.abc.${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);

    const login = await call('GET', '/admin/queues/login', { key: null });
    expect([login.status, login.body]).toEqual([200, expect.stringContaining('type="password"')]);
    const session = await call('POST', '/admin/queues/session');
    expect(session.status).toBe(204);
    const setCookie = session.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^handoff_queues_session=v1\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/admin\/queues; Max-Age=900; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(handoff.adminKey);
    const cookie = setCookie.split(';')[0]!;

    const page = await call('GET', '/admin/queues', { key: null, headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('__UI_CONFIG__');
    const api = await call('GET', '/admin/queues/api/queues', { key: null, headers: { cookie } });
    expect(api.status).toBe(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name);
    for (const q of ['webhook-ingest', 'ledger-settlement', 'ledger-payment-events', 'checkout-payment-events', 'checkout-session-expiry']) expect(names).toContain(q);
    // An admin key works for scripts too.
    expect((await call('GET', '/admin/queues/api/queues')).status).toBe(200);

    const empty = await call('PUT', '/admin/queues/api/queues/ledger-settlement/empty', { key: null, headers: { cookie } });
    expect([empty.status, empty.body.code]).toEqual([403, 'FORBIDDEN']);
    const retry = await call('PUT', '/admin/queues/api/queues/ledger-settlement/retry/failed', { key: null, headers: { cookie } });
    expect(retry.status).toBeLessThan(300);

    const out = await call('DELETE', '/admin/queues/session', { key: null, headers: { cookie } });
    expect([out.status, out.headers.get('set-cookie')]).toEqual([204, expect.stringContaining('Max-Age=0')]);
  });
});
