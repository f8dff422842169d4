// Webhooks from the sandbox PSP's side: for each payment intent of the checkout phase the four
// events of a successful payment (created, processing, charge.succeeded, succeeded), signed as the
// sandbox signs, sent by a fixed number of senders (closed loop), each retrying a 5xx, timeout or
// refused connection after a backoff (never sooner than Retry-After), as a PSP does. Measured:
//   acknowledged/s — 2xx received by the senders;
//   processed/s    — inbox rows reaching processed (payment.webhook_inbox.processed_at);
//   conversions/s  — verified conversions recorded in the ledger (ledger.conversions.created_at).
// Processed and conversions are rates from the first send to the last row (the pipeline's
// sustained throughput, backlog included), and medians of their one-second rates.
import type { SharedPostgres } from '../harness/shared-services.js';
import { postSignedWebhook, pspEventsFor, type PlannedEvent } from '../harness/psp-webhooks.js';
import type { CheckedOutIntent, CommerceWorld } from '../harness/world.js';
import { percentile, rateOf, round, sleep, type Rate } from './measure.js';

export interface WebhookResult {
  concurrency: number;
  intents: number;
  sent: number;
  acknowledged: Rate;
  failedAttempts: Record<string, number>;
  ackP50Ms: number;
  ackP99Ms: number;
  processed: Rate & { total: number; drainAfterLastAckS: number | null };
  conversions: Rate & { total: number; expected: number };
}

/** In waves of `wave` intents: event k of each, then k + 1, so each intent's events go in order. */
function order(intents: CheckedOutIntent[], wave = 64): PlannedEvent[] {
  const out: PlannedEvent[] = [];
  for (let w = 0; w < intents.length; w += wave) {
    const group = intents.slice(w, w + wave).map((pi, i) => pspEventsFor(pi, w + i, 'succeed', 'sys'));
    for (let k = 0; k < 4; k++) for (const events of group) out.push(events[k]!);
  }
  return out;
}

export async function measureWebhooks(
  gatewayUrl: string,
  world: CommerceWorld,
  db: SharedPostgres,
  intents: CheckedOutIntent[],
  concurrency: number,
  log: (line: string) => void,
  drainTimeoutMs = 120_000,
  /** Called once every webhook is acknowledged, before waiting for them to be processed. */
  afterLastAck?: () => void,
): Promise<WebhookResult> {
  const url = `${gatewayUrl}/webhooks/test/${world.merchant.id}`;
  const events = order(intents);
  const acks: number[] = [];
  const ackMs: number[] = [];
  const failedAttempts: Record<string, number> = {};
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        const ev = events[next++]!;
        for (let failures = 0; ; ) {
          const r = await postSignedWebhook(url, world.merchant.webhookSecret, ev.body, 10_000);
          if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
            acks.push(Date.now());
            ackMs.push(r.ms);
            break;
          }
          const k = String(r.status);
          failedAttempts[k] = (failedAttempts[k] ?? 0) + 1;
          if (typeof r.status === 'number' && r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
            throw new Error(`webhook ${ev.eventId} refused ${r.status}: ${r.text.slice(0, 200)}`);
          }
          failures += 1;
          if (failures > 20) throw new Error(`webhook ${ev.eventId} not acknowledged after 20 attempts`);
          const retryAfterS = Number(r.retryAfter ?? NaN);
          const backoff = Math.min(4000, 250 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
          await sleep(Number.isFinite(retryAfterS) ? Math.max(backoff, retryAfterS * 1000) : backoff);
        }
      }
    }),
  );
  const lastAck = Math.max(...acks);
  afterLastAck?.();
  log(`  ${events.length} webhooks acknowledged in ${round((lastAck - start) / 1000)} s; waiting for processing`);

  const m = world.merchant.id;
  const count = async () =>
    (
      await db.query<{ processed: number; conversions: number }>(
        `SELECT (SELECT count(*)::int FROM payment.webhook_inbox WHERE merchant_id = $1 AND event_id LIKE 'evt\\_sys\\_%' AND processed_at IS NOT NULL) AS processed,
                (SELECT count(*)::int FROM ledger.conversions WHERE merchant_id = $1 AND verification = 'verified') AS conversions`,
        [m],
      )
    )[0]!;
  let c = await count();
  while ((c.processed < events.length || c.conversions < intents.length) && Date.now() - lastAck < drainTimeoutMs) {
    await sleep(250);
    c = await count();
  }
  const drained = c.processed >= events.length && c.conversions >= intents.length;
  const processedAt = (
    await db.query<{ t: number }>(
      `SELECT (extract(epoch FROM processed_at) * 1000)::float8 AS t FROM payment.webhook_inbox
        WHERE merchant_id = $1 AND event_id LIKE 'evt\\_sys\\_%' AND processed_at IS NOT NULL`,
      [m],
    )
  ).map((r) => Number(r.t));
  const recordedAt = (
    await db.query<{ t: number }>(
      `SELECT (extract(epoch FROM created_at) * 1000)::float8 AS t FROM ledger.conversions WHERE merchant_id = $1 AND verification = 'verified'`,
      [m],
    )
  ).map((r) => Number(r.t));
  const lastProcessed = Math.max(...processedAt);
  const lastRecorded = Math.max(...recordedAt);
  return {
    concurrency,
    intents: intents.length,
    sent: events.length,
    acknowledged: rateOf(acks, start, lastAck + 1),
    failedAttempts,
    ackP50Ms: round(percentile(ackMs, 50)),
    ackP99Ms: round(percentile(ackMs, 99)),
    processed: { ...rateOf(processedAt, start, lastProcessed + 1), total: processedAt.length, drainAfterLastAckS: drained ? round((lastProcessed - lastAck) / 1000) : null },
    conversions: { ...rateOf(recordedAt, start, lastRecorded + 1), total: recordedAt.length, expected: intents.length },
  };
}
