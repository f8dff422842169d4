// The outbox relay's sweep (outbox-relay.ts): for rows published a while ago and not delivered, it
// asks Redis for the state of their job in each routed queue, re-adds a job Redis lost (a flush, a
// restart) or a relay that died after its claim never added, and marks a row delivered once its job
// has completed in every routed queue. A row's job is its claim's (`job_key`: one job per claim and
// queue, so one state asked per claim and queue, not per row), or, for a row claimed before
// job_key, its own.
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logging/index.js';
import { outboxBatchJobId, outboxJobId, routedQueues, type OutboxJobData, type OutboxRoutes } from './outbox.js';

export interface SweptRow {
  id: string;
  topic: string;
  job_key: string | null;
}

/** What the sweep needs of its relay. */
export interface SweepContext<Row extends SweptRow> {
  dataSource: DataSource;
  /** The qualified outbox table, and the columns a Row is read with. */
  table: string;
  columns: string;
  schema: string;
  routes: OutboxRoutes;
  log: Logger;
  batchSize: number;
  sweepAfterMs: number;
  jobData(row: Row): OutboxJobData;
  /** BullMQ's state of a job ('unknown' when Redis has no such job). */
  jobState(queueName: string, jobId: string): Promise<string>;
  addRowJobs(data: OutboxJobData, queueNames: readonly string[]): Promise<void>;
  addBatchJob(queueName: string, jobKey: string, items: OutboxJobData[]): Promise<void>;
  publishMessage(data: OutboxJobData): Promise<void>;
}

export async function sweepOutbox<Row extends SweptRow>(ctx: SweepContext<Row>): Promise<{ requeued: number; delivered: number }> {
  const totals = { requeued: 0, delivered: 0 };
  let afterId = '0';
  for (;;) {
    const batch = await ctx.dataSource.transaction((m) => sweepBatch(ctx, m, afterId));
    totals.requeued += batch.requeued;
    totals.delivered += batch.delivered;
    if (!batch.lastId) return totals;
    afterId = batch.lastId;
  }
}

/** Sweeps one batch after `afterId`; `lastId` is null when there is nothing further. */
async function sweepBatch<Row extends SweptRow>(
  ctx: SweepContext<Row>,
  manager: EntityManager,
  afterId: string,
): Promise<{ requeued: number; delivered: number; lastId: string | null }> {
  const rows: Row[] = await manager.query(
    `SELECT ${ctx.columns} FROM ${ctx.table}
      WHERE delivered_at IS NULL AND published_at IS NOT NULL
        AND published_at <= now() - $2::float8 * interval '1 millisecond' AND id > $1::bigint
      ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [afterId, ctx.sweepAfterMs, ctx.batchSize],
  );
  // Each (queue, job) state asked once, all at once (one script call each).
  const states = new Map<string, Promise<string>>();
  const stateOf = (queueName: string, jobId: string): Promise<string> => {
    const key = `${queueName}\n${jobId}`;
    let state = states.get(key);
    if (!state) {
      state = ctx.jobState(queueName, jobId);
      state.catch(() => undefined); // awaited below, through each row that needs it
      states.set(key, state);
    }
    return state;
  };
  const checked = await Promise.allSettled(
    rows.map(async (row) => {
      const queues = routedQueues(ctx.routes, row.topic);
      const jobId = row.job_key === null ? outboxJobId(ctx.schema, row.id) : outboxBatchJobId(ctx.schema, row.job_key);
      const st = await Promise.all(queues.map((name) => stateOf(name, jobId)));
      return { row, missing: queues.filter((_, i) => st[i] === 'unknown'), allCompleted: st.every((s) => s === 'completed') };
    }),
  );
  const okUpTo = checked.findIndex((r) => r.status === 'rejected');
  const usable = (okUpTo === -1 ? checked : checked.slice(0, okUpTo)).map((r) => (r as PromiseFulfilledResult<{ row: Row; missing: string[]; allCompleted: boolean }>).value);
  // The claims whose job is missing from some queue, and which queues.
  const missingByKey = new Map<string, Set<string>>();
  for (const { row, missing } of usable) {
    if (row.job_key === null || missing.length === 0) continue;
    const queues = missingByKey.get(row.job_key) ?? new Set<string>();
    for (const name of missing) queues.add(name);
    missingByKey.set(row.job_key, queues);
  }
  const claims = missingByKey.size > 0 ? await pendingRowsOfClaims(ctx, manager, [...missingByKey.keys()]) : new Map<string, Row[]>();

  const requeued: string[] = [];
  const delivered: string[] = [];
  const notYet: string[] = [];
  const readded = new Set<string>();
  let failed = okUpTo !== -1;
  if (failed) ctx.log.warn({ err: (checked[okUpTo] as PromiseRejectedResult).reason }, 'outbox sweep failed; will retry');
  for (const { row, missing, allCompleted } of usable) {
    if (missing.length > 0) {
      // Redis lost the job (flush or restart): add it again; consumers are idempotent.
      try {
        if (row.job_key === null) {
          const data = ctx.jobData(row);
          await ctx.addRowJobs(data, missing);
          await ctx.publishMessage(data);
        } else if (!readded.has(row.job_key)) {
          await readdClaim(ctx, row.job_key, missingByKey.get(row.job_key)!, claims.get(row.job_key) ?? [row]);
          readded.add(row.job_key);
        }
        requeued.push(row.id);
      } catch (err) {
        ctx.log.warn({ err, outboxId: row.id, topic: row.topic }, 'outbox sweep failed; will retry');
        failed = true;
        break;
      }
    } else if (allCompleted) {
      delivered.push(row.id);
    } else {
      notYet.push(row.id);
    }
  }
  if (requeued.length > 0) {
    ctx.log.info({ outboxIds: requeued }, 'outbox jobs missing from Redis were re-added');
    // Restarting the clock gives the re-added jobs sweepAfterMs to run before the next check.
    await manager.query(`UPDATE ${ctx.table} SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`, [requeued]);
  }
  if (notYet.length > 0) {
    // Their jobs are there, waiting or running (or failed, for an operator): looked at again
    // sweepAfterMs from now, not at every tick. Under a backlog every pending row was asked about
    // every 5 s.
    await manager.query(`UPDATE ${ctx.table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [notYet]);
  }
  if (delivered.length > 0) {
    await manager.query(`UPDATE ${ctx.table} SET delivered_at = now() WHERE id = ANY($1::bigint[])`, [delivered]);
  }
  const lastId = !failed && rows.length === ctx.batchSize ? rows[rows.length - 1]!.id : null;
  return { requeued: requeued.length, delivered: delivered.length, lastId };
}

/**
 * Every pending (published, undelivered) row of these claims, read without locking: a claim's rows
 * may straddle two sweep batches or two relays' sweeps, and its job, re-added, must carry them all
 * (of two adds of one job id, the first wins).
 */
async function pendingRowsOfClaims<Row extends SweptRow>(ctx: SweepContext<Row>, manager: EntityManager, keys: string[]): Promise<Map<string, Row[]>> {
  // A claim's key is its smallest id: the scan starts at the smallest key.
  const from = keys.reduce((a, b) => (BigInt(a) < BigInt(b) ? a : b));
  const rows: Row[] = await manager.query(
    `SELECT ${ctx.columns} FROM ${ctx.table}
      WHERE job_key = ANY($1::bigint[]) AND id >= $2::bigint AND delivered_at IS NULL AND published_at IS NOT NULL
      ORDER BY id`,
    [keys, from],
  );
  const byKey = new Map<string, Row[]>();
  for (const row of rows) {
    const list = byKey.get(row.job_key!);
    if (list) list.push(row);
    else byKey.set(row.job_key!, [row]);
  }
  return byKey;
}

/** Re-adds a claim's job to each of `queues`, with its rows routed there, and announces its rows again. */
async function readdClaim<Row extends SweptRow>(ctx: SweepContext<Row>, jobKey: string, queues: ReadonlySet<string>, rows: Row[]): Promise<void> {
  const items = rows.map((row) => ({ data: ctx.jobData(row), queues: routedQueues(ctx.routes, row.topic) }));
  await Promise.all(
    [...queues].map((name) => {
      const forQueue = items.filter((i) => i.queues.includes(name)).map((i) => i.data);
      return forQueue.length > 0 ? ctx.addBatchJob(name, jobKey, forQueue) : undefined;
    }),
  );
  // Pipelined, in id order on one connection.
  await Promise.all(items.map((i) => ctx.publishMessage(i.data)));
}
