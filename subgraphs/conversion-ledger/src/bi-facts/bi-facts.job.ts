// The ledger's BI fact workers (docs/bi.md):
// - `ledger-bi-facts`: checkout-session's and payment-intent's events (bi-facts.contract.ts),
//   one job per outbox row, each recorded once (bi-facts.record.ts).
// - `ledger-bi-projection`: the ledger's own conversions, read from its outbox's
//   `conversion.updated` rows in cursor order (cursors are commit-ordered: conversion.events.ts,
//   so a reader that saw cursor N saw every committed cursor below it). A job scheduler runs it
//   every few seconds; each run takes the projection's row lock, reads up to PROJECTION_BATCH
//   events past its position, records CONVERSION (a verified payment's conversion, first seen
//   verified) and PAYOUT (first seen PAID) facts once each, and moves the position, all in one
//   transaction. No job per conversion: a settlement of 100,000 conversions is 20 statements here.
import { CONVERSION_UPDATED_TOPIC, LEDGER_BI_FACTS_QUEUE, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { Queue, type Worker } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { recordBiFacts } from './bi-facts.record.js';

export const BI_PROJECTION_QUEUE = 'ledger-bi-projection';
const BI_PROJECTION_SCHEDULER_ID = 'ledger-bi-projection-every';
const PROJECTION_BATCH = 5000;

/**
 * One step of the conversion projection, in `manager`'s transaction: how many events it read
 * (PROJECTION_BATCH means there may be more).
 */
export async function projectConversionsStep(manager: EntityManager): Promise<number> {
  const [state] = (await manager.query(`SELECT position::text FROM ledger.bi_fact_projection WHERE name = $1 FOR UPDATE`, [CONVERSION_UPDATED_TOPIC])) as Array<{ position: string }>;
  if (!state) throw new Error('ledger.bi_fact_projection has no conversion.updated row (migration BiFacts1795900100000)');
  const [step] = (await manager.query(
    `WITH ev AS (
       SELECT o.id, (o.payload->>'cursor')::bigint AS cursor, o.payload->'conversion' AS c
         FROM ledger.outbox o
        WHERE o.topic = $1 AND (o.payload->>'cursor')::bigint > $2::bigint
        ORDER BY (o.payload->>'cursor')::bigint LIMIT ${PROJECTION_BATCH}
     ), facts AS (
       SELECT ev.id, ev.cursor, ev.c, k.kind
         FROM ev CROSS JOIN (VALUES ('CONVERSION'), ('PAYOUT')) AS k(kind)
        WHERE (k.kind = 'CONVERSION' AND ev.c->>'conversionPath' = 'VERIFIED_PAYMENT' AND ev.c->>'verification' = 'verified')
           OR (k.kind = 'PAYOUT' AND ev.c->>'status' = 'PAID')
     ), ins AS (
       INSERT INTO ledger.bi_facts (kind, fact_key, subject_id, occurred_at, merchant_id, agent_id, offer_id, agent_session_id, channel, currency, amount_minor, source)
       SELECT f.kind, f.kind || ':' || cv.id, cv.id, coalesce((f.c->>'updatedAt')::timestamptz, cv.updated_at), cv.merchant_id, cv.agent_id, cv.offer_id,
              cv.session_id, CASE WHEN cv.agent_id IS NULL THEN 'DIRECT' ELSE 'AGENT' END, cv.currency,
              CASE f.kind WHEN 'PAYOUT' THEN cv.builder_payout_minor ELSE cv.transaction_value_minor END, 'ledger:' || f.id
         FROM facts f JOIN ledger.conversions cv ON cv.id = f.c->>'id'
        ORDER BY f.cursor, f.kind
       ON CONFLICT (fact_key) DO NOTHING RETURNING 1
     )
     SELECT (SELECT count(*) FROM ev)::int AS read, (SELECT max(cursor) FROM ev)::text AS last, (SELECT count(*) FROM ins)::int AS inserted`,
    [CONVERSION_UPDATED_TOPIC, state.position],
  )) as Array<{ read: number; last: string | null; inserted: number }>;
  if (step!.last) await manager.query(`UPDATE ledger.bi_fact_projection SET position = $2::bigint WHERE name = $1`, [CONVERSION_UPDATED_TOPIC, step!.last]);
  return step!.read;
}

/** Projects every `conversion.updated` written so far (each batch its own transaction). */
export async function projectConversions(dataSource: DataSource): Promise<number> {
  let total = 0;
  for (;;) {
    const read = await dataSource.transaction((m) => projectConversionsStep(m));
    total += read;
    if (read < PROJECTION_BATCH) return total;
  }
}

export async function upsertBiProjectionScheduler(connection: RedisClient, prefix: string, everyMs: number): Promise<Queue> {
  const queue = new Queue(BI_PROJECTION_QUEUE, { connection, prefix });
  await queue.upsertJobScheduler(BI_PROJECTION_SCHEDULER_ID, { every: everyMs }, { name: 'project', data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } });
  return queue;
}

export function startBiFactWorkers(opts: { dataSource: DataSource; connection: RedisClient; prefix: string; logger: Logger }): Worker[] {
  return [
    startWorker<OutboxJobData, number>({
      name: LEDGER_BI_FACTS_QUEUE,
      prefix: opts.prefix,
      connection: opts.connection,
      concurrency: 4,
      logger: opts.logger,
      processor: (job) => recordBiFacts(opts.dataSource, job.data),
    }),
    startWorker<unknown, number>({
      name: BI_PROJECTION_QUEUE,
      prefix: opts.prefix,
      connection: opts.connection,
      concurrency: 1,
      logger: opts.logger,
      processor: () => projectConversions(opts.dataSource),
    }),
  ];
}
