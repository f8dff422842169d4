// When the storm ends with a conversion missing: where its payment's evidence stopped. For each
// such payment intent, its `psp_event.*` outbox rows (claimed? delivered?), their jobs in the
// ledger's queue (state, attempts, why they failed), what the ledger recorded of those events,
// and any output line of a Handoff process that names the intent. Printed with the report, so a
// failing CI run says what happened instead of only that something did.
import { outboxJobIdOfRow } from '@handoff/shared';
import { LEDGER_PAYMENT_EVENTS_QUEUE } from '@handoff/payment-intent/events';
import { createRedis, queuePrefixFor } from '@handoff/shared/queue/redis';
import type { FaultHandoff } from '../../bench/src/harness/harness.js';
import type { PrivatePostgres } from '../../bench/src/harness/private-postgres.js';

/** On one Redis server or a Redis Cluster (the harness's `redis.url`). */
type Diagnosed = Pick<FaultHandoff<Pick<PrivatePostgres, 'query'>, { url: string }>, 'postgres' | 'redis' | 'env' | 'processes'>;

export async function explainMissingConversions(h: Diagnosed, intentIds: string[]): Promise<string> {
  if (intentIds.length === 0) return '';
  const redis = createRedis(h.redis.url);
  redis.on('error', () => undefined);
  const prefix = queuePrefixFor(h.redis.url, h.env.QUEUE_PREFIX!);
  const lines: string[] = [];
  try {
    for (const id of intentIds) {
      lines.push(`--- missing conversion for payment intent ${id}`);
      const rows = await h.postgres.query<{ id: string; job_key: string | null; topic: string; created_at: Date; published_at: Date | null; delivered_at: Date | null; attempts: number; event_id: string | null }>(
        `SELECT id, job_key, topic, created_at, published_at, delivered_at, attempts, payload->'pspEvent'->>'id' AS event_id
           FROM payment.outbox WHERE aggregate_id = $1 ORDER BY id`,
        [id],
      );
      if (rows.length === 0) lines.push('  no outbox row of payment-intent names it');
      for (const r of rows) {
        const jobKey = `${prefix}:${LEDGER_PAYMENT_EVENTS_QUEUE}:${outboxJobIdOfRow('payment', { id: String(r.id), jobKey: r.job_key === null ? null : String(r.job_key) })}`;
        const job = r.topic.startsWith('psp_event.') ? await redis.hgetall(jobKey) : {};
        const applied = r.event_id
          ? await h.postgres.query<{ outcome: string; conversion_id: string | null }>(`SELECT outcome, conversion_id FROM ledger.psp_events_applied WHERE event_id = $1`, [r.event_id])
          : [];
        lines.push(
          `  outbox ${r.id} ${r.topic} event ${r.event_id ?? '-'}: created ${iso(r.created_at)}, published ${iso(r.published_at)}, delivered ${iso(r.delivered_at)}, attempts ${r.attempts}` +
            (r.topic.startsWith('psp_event.')
              ? `; job ${Object.keys(job).length === 0 ? 'absent' : `attemptsMade ${job.attemptsMade ?? job.atm ?? '?'}, finishedOn ${job.finishedOn ?? '-'}, failedReason ${job.failedReason ?? '-'}, returnvalue ${job.returnvalue ?? '-'}, stalledCounter ${job.stc ?? '-'}`}`
              : '') +
            (r.event_id ? `; ledger applied ${applied.length ? applied.map((a) => `${a.outcome}${a.conversion_id ? ` (${a.conversion_id})` : ''}`).join(', ') : 'nothing'}` : ''),
        );
      }
      for (const [name, p] of h.processes) {
        for (const line of p.tail(200).split('\n')) if (line.includes(id)) lines.push(`  [${name}] ${line.slice(0, 600)}`);
      }
    }
  } catch (err) {
    lines.push(`  (diagnosis failed: ${(err as Error).message})`);
  } finally {
    redis.disconnect();
  }
  return lines.join('\n');
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString().slice(11, 23) : '-');
