// Outbound webhooks against real PostgreSQL and Redis, on a database of its own (the run's shared
// one holds other stacks' endpoints, sealed with other keys): the intake records an event once
// and fans it out once however often its job runs; attempts are signed, logged and retried; the
// 3-day window; an endpoint failing for 5 days is disabled with a notice and an event; a disabled
// endpoint gets nothing; replays keep the event id; private URLs refused when not allowed.
import { ErrorCode, HandoffError, verifySignature, webhookEventId, type OutboxJobData, type SubgraphApp } from '@handoff/shared';
import { Queue, UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import type { MerchantConfig } from '../src/index.js';
import type { MerchantServices } from '../src/services.js';
import { WEBHOOK_DELIVERY_QUEUE, type DeliveryJob } from '../src/webhook-delivery/delivery-queue.js';
import { overdueAttempts, processDelivery, startDirectDelivery, type DeliveryDeps } from '../src/webhook-delivery/webhook-delivery.job.js';
import { processWebhookEvent } from '../src/webhook-delivery/webhook-intake.job.js';
import { WebhookEndpointService } from '../src/webhook-endpoint/webhook-endpoint.service.js';
import type { Webhooks } from '../src/webhook-endpoint/webhooks.module.js';
import { admin, gbpCpaMerchant, merchantPrincipal } from './support.js';
import { silent, startWebhookStack, type WebhookStack } from './webhook-stack.js';

let stack: WebhookStack;
let app: SubgraphApp;
let config: MerchantConfig;
let services: MerchantServices;
let webhooks: Webhooks;
let receiver: WebhookReceiver;
let queue: Queue<DeliveryJob>;
let deps: DeliveryDeps;

beforeAll(async () => {
  stack = await startWebhookStack('webhooks', 'wh');
  ({ app, config, services, webhooks, receiver, deps } = stack);
  queue = new Queue<DeliveryJob>(WEBHOOK_DELIVERY_QUEUE, { connection: app.redis.duplicate(), prefix: config.env.QUEUE_PREFIX });
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await stack?.close();
});

const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> => app.dataSource.query(sql, params);
let outboxSeq = 1000;

async function newMerchant() {
  return services.merchants.create(admin, gbpCpaMerchant(), undefined);
}

async function endpoint(merchantId: string, path: string, events: string[], enabled = true) {
  return webhooks.endpoints.create(merchantPrincipal(merchantId), { url: `${receiver.origin}${path}`, events, enabled }, undefined);
}

/** An outbox job as a producer's relay enqueues it. */
function job(merchantId: string, type: string, object: Record<string, unknown> = { id: 'pi_1', object: 'payment_intent' }, schema = 'payment'): OutboxJobData {
  const outboxId = String(++outboxSeq);
  return {
    outboxId,
    schema,
    topic: `webhook_event.${type}`,
    aggregateId: merchantId,
    createdAt: new Date().toISOString(),
    payload: { type, merchantId, paymentIntentId: 'pi_1', object, occurredAt: new Date().toISOString() },
  };
}

const deliveriesOf = (eventId: string) =>
  q<{ id: string; endpoint_id: string; status: string; seq: number }>('SELECT id, endpoint_id, status, seq FROM merchant.webhook_deliveries WHERE event_id = $1 ORDER BY endpoint_id', [eventId]);

async function deliveryTo(endpointId: string, eventId: string) {
  const [d] = await q<{ id: string; seq: number; status: string; attempts: number; last_error: string | null; next_attempt_at: Date | null }>(
    'SELECT id, seq, status, attempts, last_error, next_attempt_at FROM merchant.webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2',
    [endpointId, eventId],
  );
  return d!;
}

describe('intake', () => {
  it('records an event once and one delivery per enabled matching endpoint, however often its job runs', async () => {
    const m = await newMerchant();
    const paid = await endpoint(m.id, '/a', ['payment.succeeded']);
    const all = await endpoint(m.id, '/b', ['*']);
    await endpoint(m.id, '/c', ['checkout.created']);
    await endpoint(m.id, '/d', ['*'], false);
    const j = job(m.id, 'payment.succeeded');
    const first = await webhooks.intake.intake(j);
    const again = await webhooks.intake.intake(j);
    // And the same job five times at once.
    const concurrent = job(m.id, 'payment.succeeded');
    await Promise.all(Array.from({ length: 5 }, () => webhooks.intake.intake(concurrent)));

    const eventId = webhookEventId('payment', j.outboxId);
    expect(first).toMatchObject({ eventId, recorded: true, created: 2 });
    expect(again).toMatchObject({ eventId, recorded: false, created: 0 });
    expect(again.scheduled.map((s) => s.deliveryId).sort()).toEqual(first.scheduled.map((s) => s.deliveryId).sort());
    for (const id of [eventId, webhookEventId('payment', concurrent.outboxId)]) {
      expect(await q('SELECT id FROM merchant.webhook_events WHERE id = $1', [id])).toHaveLength(1);
      expect((await deliveriesOf(id)).map((d) => d.endpoint_id).sort()).toEqual([paid.endpoint.id, all.endpoint.id].sort());
    }
    // One job per delivery (its id the delivery's and its seq), whatever the reruns added.
    const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
    const forEvent = jobs.filter((x) => first.scheduled.some((s) => s.deliveryId === x.data.deliveryId));
    expect(forEvent.map((x) => x.id).sort()).toEqual(first.scheduled.map((s) => `${s.deliveryId}-1`).sort());

    const [event] = await q<{ body: string; created: Date; type: string }>('SELECT payload::text AS body, created, type FROM merchant.webhook_events WHERE id = $1', [eventId]);
    expect(JSON.parse(event!.body)).toEqual({
      id: eventId,
      object: 'event',
      type: 'payment.succeeded',
      created: Math.floor(Date.parse(j.payload.occurredAt as string) / 1000),
      livemode: false,
      api_version: expect.any(String),
      payment_intent_id: 'pi_1',
      data: { object: { id: 'pi_1', object: 'payment_intent' } },
    });
  });

  it('concurrent intakes of many events share statements, and each event gets exactly its own deliveries', async () => {
    const [a, b] = [await newMerchant(), await newMerchant()];
    const aPaid = await endpoint(a.id, '/ba', ['payment.succeeded']);
    const aAll = await endpoint(a.id, '/bb', ['*']);
    const bFailed = await endpoint(b.id, '/bc', ['payment.failed']);
    // 30 events of two merchants and two types at once (the intake batches them), each job twice.
    const jobs = Array.from({ length: 30 }, (_, i) => job(i % 2 ? a.id : b.id, i % 3 ? 'payment.succeeded' : 'payment.failed'));
    const results = await Promise.all([...jobs, ...jobs].map((j) => webhooks.intake.intake(j)));
    for (const [i, j] of jobs.entries()) {
      const eventId = webhookEventId('payment', j.outboxId);
      const expected = i % 2 ? (j.payload.type === 'payment.succeeded' ? [aPaid, aAll] : [aAll]) : j.payload.type === 'payment.failed' ? [bFailed] : [];
      const deliveries = await deliveriesOf(eventId);
      expect(deliveries.map((d) => d.endpoint_id).sort(), `event ${i}`).toEqual(expected.map((e) => e.endpoint.id).sort());
      const runs = [results[i]!, results[i + jobs.length]!];
      // One run recorded it and created its deliveries; the other found it recorded; both answer its deliveries.
      expect(runs.map((r) => r.recorded).sort()).toEqual([false, true]);
      expect(runs.map((r) => r.created).sort()).toEqual([0, expected.length]);
      for (const r of runs) {
        expect(r.eventId).toBe(eventId);
        expect(r.scheduled.map((s) => s.deliveryId).sort()).toEqual(deliveries.map((d) => d.id).sort());
      }
    }
  });

  it('sends a test event to its endpoint only, whatever the other filters', async () => {
    const m = await newMerchant();
    const target = await endpoint(m.id, '/t1', ['payment.failed']);
    await endpoint(m.id, '/t2', ['*']);
    const [sent] = await webhooks.endpoints.sendTest(merchantPrincipal(m.id), target.endpoint.id, null, undefined);
    const [row] = await q<{ id: string; topic: string; payload: Record<string, unknown> }>(
      `SELECT id::text, topic, payload FROM merchant.outbox WHERE topic = 'webhook_event.webhook_endpoint.test' AND aggregate_id = $1`,
      [m.id],
    );
    expect(sent!.eventId).toBe(webhookEventId('merchant', row!.id));
    await webhooks.intake.intake({ schema: 'merchant', outboxId: row!.id, topic: row!.topic, payload: row!.payload });
    expect((await deliveriesOf(sent!.eventId)).map((d) => d.endpoint_id)).toEqual([target.endpoint.id]);
  });

  it('refuses a payload off the contract for good, recording nothing', async () => {
    const m = await newMerchant();
    const bad = { ...job(m.id, 'payment.succeeded'), topic: 'webhook_event.payment.failed' };
    await expect(processWebhookEvent(webhooks.intake, bad, silent)).rejects.toBeInstanceOf(UnrecoverableError);
    const unknown = job(m.id, 'payment.succeeded');
    unknown.payload = { ...unknown.payload, type: 'payment.teleported' };
    await expect(processWebhookEvent(webhooks.intake, unknown, silent)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await q('SELECT id FROM merchant.webhook_events WHERE merchant_id = $1', [m.id])).toEqual([]);
  });
});

describe('delivery', () => {
  it('POSTs the stored body signed with the endpoint secret; a success clears failing_since', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/ok', ['payment.succeeded']);
    await q(`UPDATE merchant.webhook_endpoints SET failing_since = now() - interval '1 day' WHERE id = $1`, [e.endpoint.id]);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('delivered');
    const [got] = receiver.on('/ok');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toBe('Handoff-Webhooks/1');
    expect(got!.headers['handoff-event-id']).toBe(r.eventId);
    expect(got!.headers['handoff-delivery-id']).toBe(d.id);
    expect(verifySignature({ payload: Buffer.from(got!.body), header: String(got!.headers['handoff-signature']), secret: e.secret }).ok).toBe(true);
    expect(JSON.parse(got!.body).id).toBe(r.eventId);
    expect(await deliveryTo(e.endpoint.id, r.eventId)).toMatchObject({ status: 'SUCCEEDED', attempts: 1, next_attempt_at: null });
    const [attempt] = await q('SELECT succeeded, status_code, error, response_excerpt FROM merchant.webhook_delivery_attempts WHERE delivery_id = $1', [d.id]);
    expect(attempt).toEqual({ succeeded: true, status_code: 200, error: null, response_excerpt: '{"ok":true}' });
    expect((await q('SELECT failing_since FROM merchant.webhook_endpoints WHERE id = $1', [e.endpoint.id]))[0].failing_since).toBeNull();
    // The job again: nothing (the delivery is done).
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('stale');
    expect(receiver.on('/ok')).toHaveLength(1);
  });

  it('a failed attempt stays PENDING with its next attempt scheduled; after the 3-day window it FAILS', async () => {
    const m = await newMerchant();
    receiver.route('/fails', () => ({ status: 503, body: 'x'.repeat(5000) }));
    const e = await endpoint(m.id, '/fails', ['payment.succeeded']);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('retrying');
    const after = await deliveryTo(e.endpoint.id, r.eventId);
    expect(after).toMatchObject({ status: 'PENDING', attempts: 1, seq: d.seq + 1, last_error: 'http_503' });
    expect(await queue.getJobState(`${d.id}-${d.seq + 1}`)).toMatch(/delayed|waiting/);
    const [attempt] = await q<{ response_excerpt: string; status_code: number }>('SELECT response_excerpt, status_code FROM merchant.webhook_delivery_attempts WHERE delivery_id = $1', [d.id]);
    expect(attempt).toEqual({ status_code: 503, response_excerpt: 'x'.repeat(1024) });
    expect((await q('SELECT failing_since FROM merchant.webhook_endpoints WHERE id = $1', [e.endpoint.id]))[0].failing_since).not.toBeNull();

    await q(`UPDATE merchant.webhook_deliveries SET armed_at = now() - interval '3 days' WHERE id = $1`, [d.id]);
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq + 1 })).toBe('failed');
    expect(await deliveryTo(e.endpoint.id, r.eventId)).toMatchObject({ status: 'FAILED', attempts: 2, next_attempt_at: null });
  });

  it('does not attempt a delivery whose endpoint was disabled since: it FAILS, the receiver gets nothing', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/off', ['payment.succeeded']);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    await webhooks.endpoints.update(merchantPrincipal(m.id), e.endpoint.id, { enabled: false });
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('skipped');
    expect(await deliveryTo(e.endpoint.id, r.eventId)).toMatchObject({ status: 'FAILED', attempts: 0, last_error: 'endpoint_disabled' });
    expect(receiver.on('/off')).toEqual([]);
    // And the next event makes no delivery for it at all.
    const next = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    expect(await deliveriesOf(next.eventId)).toEqual([]);
  });
});

describe('at most one attempt at a time, nothing lost', () => {
  it('two runs of one job make one attempt', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/once', ['payment.succeeded']);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    const outcomes = await Promise.all([processDelivery(deps, { deliveryId: d.id, seq: d.seq }), processDelivery(deps, { deliveryId: d.id, seq: d.seq })]);
    expect(outcomes.sort()).toEqual(['delivered', 'stale']);
    expect(receiver.on('/once')).toHaveLength(1);
  });

  it('an attempt whose worker died (lease run out, nothing recorded) is logged interrupted at the next claim', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/cut', ['payment.succeeded']);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    expect(await webhooks.recorder.claim(d.id, d.seq)).not.toBeNull(); // the attempt that never reports
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('stale');
    await q(`UPDATE merchant.webhook_deliveries SET locked_until = now() - interval '1 second' WHERE id = $1`, [d.id]);
    expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('delivered');
    const attempts = await q('SELECT succeeded, error FROM merchant.webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY id', [d.id]);
    expect(attempts).toEqual([{ succeeded: false, error: 'interrupted' }, { succeeded: true, error: null }]);
    expect(await deliveryTo(e.endpoint.id, r.eventId)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('with direct delivery the intake leases the new deliveries and attempts them at once, with no job', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/direct', ['payment.succeeded']);
    const direct = startDirectDelivery(deps, 4);
    webhooks.intake.useDirectDelivery(direct);
    try {
      const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
      expect(r).toMatchObject({ recorded: true, created: 1, direct: 1, scheduled: [] });
      await direct.close();
      expect(receiver.on('/direct').map((c) => c.headers['handoff-event-id'])).toEqual([r.eventId]);
      const d = await deliveryTo(e.endpoint.id, r.eventId);
      expect(d).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      expect(await queue.getJobState(`${d.id}-${d.seq}`)).toBe('unknown');
    } finally {
      webhooks.intake.useDirectDelivery(undefined);
    }
  });

  it('direct deliveries past the limit (a fan-out) are handed back to the queue, leases released', async () => {
    const m = await newMerchant();
    const a = await endpoint(m.id, '/fan-a', ['payment.succeeded']);
    const b = await endpoint(m.id, '/fan-b', ['payment.succeeded']);
    const direct = startDirectDelivery(deps, 1);
    webhooks.intake.useDirectDelivery(direct);
    try {
      const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
      expect(r).toMatchObject({ created: 2, direct: 2 });
      await direct.close();
      const [first, second] = [await deliveryTo(a.endpoint.id, r.eventId), await deliveryTo(b.endpoint.id, r.eventId)].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(first).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      expect(second).toMatchObject({ status: 'PENDING', attempts: 0 });
      expect((await q('SELECT locked_until FROM merchant.webhook_deliveries WHERE id = $1', [second!.id]))[0].locked_until).toBeNull();
      expect(await queue.getJobState(`${second!.id}-${second!.seq}`)).toMatch(/waiting|prioritized|delayed/);
    } finally {
      webhooks.intake.useDirectDelivery(undefined);
    }
  });

  it('the sweep re-adds an overdue attempt whose job Redis lost, and leaves a queued one alone', async () => {
    const m = await newMerchant();
    const e = await endpoint(m.id, '/swept', ['payment.succeeded']);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    const jobId = `${d.id}-${d.seq}`;
    await q(`UPDATE merchant.webhook_deliveries SET next_attempt_at = now() - interval '5 minutes' WHERE id = $1`, [d.id]);
    const due = () => overdueAttempts(app.dataSource, 30_000).then((all) => all.filter((a) => a.deliveryId === d.id));
    expect(await webhooks.queue.ensureScheduled(await due())).toBe(0); // still queued
    await queue.remove(jobId); // Redis lost it
    expect(await queue.getJobState(jobId)).toBe('unknown');
    expect(await webhooks.queue.ensureScheduled(await due())).toBe(1);
    expect(await queue.getJobState(jobId)).toMatch(/waiting|prioritized/);
    // A delivery held by a running attempt is not overdue.
    await webhooks.recorder.claim(d.id, d.seq);
    expect(await due()).toEqual([]);
  });
});

describe('auto-disable', () => {
  it('disables an endpoint whose deliveries have all failed for 5 days, with a notice and a webhook_endpoint.disabled event', async () => {
    const m = await newMerchant();
    receiver.route('/down', () => ({ status: 500 }));
    const down = await endpoint(m.id, '/down', ['payment.succeeded']);
    const recent = await endpoint(m.id, '/down', ['payment.succeeded']);
    const watcher = await endpoint(m.id, '/watch', ['webhook_endpoint.disabled']);
    await q(`UPDATE merchant.webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1`, [down.endpoint.id]);
    await q(`UPDATE merchant.webhook_endpoints SET failing_since = now() - interval '4 days' WHERE id = $1`, [recent.endpoint.id]);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    for (const e of [down, recent]) {
      const d = await deliveryTo(e.endpoint.id, r.eventId);
      expect(await processDelivery(deps, { deliveryId: d.id, seq: d.seq })).toBe('retrying');
    }
    const rows = await q<{ id: string; enabled: boolean; disabled_reason: string | null }>(
      'SELECT id, enabled, disabled_reason FROM merchant.webhook_endpoints WHERE id = ANY($1) ORDER BY id',
      [[down.endpoint.id, recent.endpoint.id]],
    );
    expect(rows).toEqual([
      { id: down.endpoint.id, enabled: false, disabled_reason: 'FAILING' },
      { id: recent.endpoint.id, enabled: true, disabled_reason: null },
    ]);
    const notices = await webhooks.notices.list(merchantPrincipal(m.id), null, {});
    expect(notices.edges.map((n) => ({ kind: n.node.kind, subjectId: n.node.subjectId }))).toEqual([{ kind: 'webhook_endpoint.disabled', subjectId: down.endpoint.id }]);
    const [event] = await q<{ id: string; topic: string; payload: Record<string, any> }>(
      `SELECT id::text, topic, payload FROM merchant.outbox WHERE topic = 'webhook_event.webhook_endpoint.disabled' AND aggregate_id = $1`,
      [m.id],
    );
    expect(event!.payload.object).toMatchObject({ id: down.endpoint.id, enabled: false, disabled_reason: 'failing' });
    // The event reaches the merchant's endpoint that listens for it (not the disabled one).
    const disabled = await webhooks.intake.intake({ schema: 'merchant', outboxId: event!.id, topic: event!.topic, payload: event!.payload });
    expect((await deliveriesOf(disabled.eventId)).map((d) => d.endpoint_id)).toEqual([watcher.endpoint.id]);
    // A merchant sees only its own notices.
    const other = await newMerchant();
    expect((await webhooks.notices.list(merchantPrincipal(other.id), m.id, {})).edges).toEqual([]);
    // Enabled again: the failure streak starts over.
    const again = await webhooks.endpoints.update(merchantPrincipal(m.id), down.endpoint.id, { enabled: true });
    expect(again).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });
});

describe('replay', () => {
  it('re-arms one delivery (same event id) and replays every event since a time, creating what the endpoint missed', async () => {
    const m = await newMerchant();
    receiver.route('/flaky', (_req, nth) => ({ status: nth === 1 ? 500 : 200 }));
    const e = await endpoint(m.id, '/flaky', ['payment.succeeded']);
    const since = new Date(Date.now() - 1000);
    const r = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    const d = await deliveryTo(e.endpoint.id, r.eventId);
    await processDelivery(deps, { deliveryId: d.id, seq: d.seq });
    await q(`UPDATE merchant.webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL WHERE id = $1`, [d.id]);

    const replayed = await webhooks.deliveries.replayDelivery(merchantPrincipal(m.id), d.id);
    expect(replayed).toMatchObject({ status: 'PENDING', seq: d.seq + 2 });
    expect(await processDelivery(deps, { deliveryId: d.id, seq: replayed.seq })).toBe('delivered');
    expect(receiver.on('/flaky').map((x) => x.headers['handoff-event-id'])).toEqual([r.eventId, r.eventId]);

    // An event while the endpoint was off, and one for an endpoint made afterwards.
    await webhooks.endpoints.update(merchantPrincipal(m.id), e.endpoint.id, { enabled: false });
    const missed = await webhooks.intake.intake(job(m.id, 'payment.succeeded'));
    await webhooks.endpoints.update(merchantPrincipal(m.id), e.endpoint.id, { enabled: true });
    const late = await endpoint(m.id, '/late', ['payment.succeeded']);
    const result = await webhooks.deliveries.replayEvents(merchantPrincipal(m.id), e.endpoint.id, since, false);
    expect(result).toMatchObject({ endpointId: e.endpoint.id, deliveries: 1, nextSince: null });
    expect((await deliveriesOf(missed.eventId)).map((x) => x.endpoint_id)).toEqual([e.endpoint.id]);
    const withSucceeded = await webhooks.deliveries.replayEvents(merchantPrincipal(m.id), late.endpoint.id, since, true);
    expect(withSucceeded.deliveries).toBe(2);

    const other = await newMerchant();
    const notFound = async (p: Promise<unknown>) => expect(((await p.catch((x: unknown) => x)) as HandoffError).extensions?.code).toBe(ErrorCode.NOT_FOUND);
    await notFound(webhooks.deliveries.replayDelivery(merchantPrincipal(other.id), d.id));
    await notFound(webhooks.deliveries.replayEvents(merchantPrincipal(other.id), e.endpoint.id, since, false));
    await notFound(webhooks.endpoints.delete(merchantPrincipal(other.id), e.endpoint.id));
  });
});

describe('private URLs', () => {
  const service = (resolved: Record<string, string[]>) =>
    new WebhookEndpointService(app.dataSource, services.idempotency, { notify: () => undefined }, {
      encryptionKey: config.encryptionKey,
      allowPrivateUrls: false,
      resolve: async (host) => resolved[host] ?? [],
    });

  it('are refused with WEBHOOK_URL_NOT_ALLOWED unless allowed, by what the URL says or what its host resolves to', async () => {
    const m = await newMerchant();
    const s = service({ 'hooks.example.com': ['93.184.216.34'], 'internal.example.com': ['93.184.216.34', '10.1.2.3'] });
    const code = async (url: string) => {
      const err = await s.create(merchantPrincipal(m.id), { url, events: ['*'] }, undefined).then(() => null, (x: unknown) => x as HandoffError);
      return err?.extensions.code ?? 'CREATED';
    };
    for (const url of ['https://127.0.0.1/h', 'https://localhost/h', 'https://[::1]/h', 'https://169.254.169.254/latest', 'https://10.0.0.8/h', 'https://internal.example.com/h']) {
      expect(await code(url), url).toBe(ErrorCode.WEBHOOK_URL_NOT_ALLOWED);
    }
    expect(await code('http://hooks.example.com/h')).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await code('https://hooks.example.com/h')).toBe('CREATED');
    expect(await q('SELECT url FROM merchant.webhook_endpoints WHERE merchant_id = $1', [m.id])).toEqual([{ url: 'https://hooks.example.com/h' }]);
  });
});
