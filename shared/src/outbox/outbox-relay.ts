// Moves committed outbox rows to BullMQ queues and Redis pub/sub, at least once.
//
// Postgres is the record; Redis is not (it keeps nothing on disk here). A publish pass claims
// rows by marking them published, then adds a job with a deterministic id to each routed queue
// (so republishing never duplicates a job) and hands back the rows it could not add. A sweep
// re-adds jobs that Redis lost, or that a relay which died after its claim never added, and
// marks a row delivered once its job has completed in every routed queue.
//
// Connections: `redis` (caller's, never closed here) is used for PUBLISH. The relay's BullMQ
// queues share one other connection: `queueConnection` if given (not closed here), otherwise a
// `redis.duplicate()` made on first use and closed by stop(). Keep commands failing rather than
// hanging while Redis is down: don't pass worker connections (`maxRetriesPerRequest: null`).
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../queue/redis.js';
import type { DataSource, EntityManager } from 'typeorm';
import { qualifiedTable } from '../idempotency/schema-name.js';
import type { Logger } from '../logging/index.js';
import { serviceOf } from '../logging/logger.js';
import { contextFromTraceparent, failSpan, SpanKind, startSpan, traceHeaders, tracingOn, type Span } from '../tracing/tracing.js';
import { outboxJobId, routedQueues, splitStoredPayload, type OutboxJobData, type OutboxRoutes } from './outbox.js';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  redis: RedisClient;
  queueConnection?: RedisClient;
  queuePrefix: string;
  logger: Logger;
  routes: OutboxRoutes;
  /** The pub/sub channel for an event, or null for none. */
  pubsubChannel?: (event: OutboxJobData) => string | null;
  sweepIntervalMs?: number;
  /** Only rows published at least this long ago are swept (their jobs had time to run). */
  sweepAfterMs?: number;
  batchSize?: number;
  jobAttempts?: number;
  /**
   * Each Redis call of a pass gives up after this long. While Redis is down BullMQ waits for
   * it indefinitely; a pass must not hold its transaction and row locks that long.
   */
  redisTimeoutMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  created_at: Date;
  request_id: string | null;
}

const ROW_COLUMNS = 'id, topic, aggregate_id, payload, created_at, request_id';

export class OutboxRelay {
  private readonly table: string;
  private readonly log: Logger;
  private readonly queues = new Map<string, Queue<OutboxJobData>>();
  private ownedConnection: RedisClient | undefined;
  /** Every pass and sweep runs on this chain, one at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private passQueued = false;
  private tickRunning = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The tracing component of the relay's spans: its package's. */
  private readonly component: string;

  /** The claim of one batch ($1 its size, $2/$3 the routing below); built once, from the table. */
  private readonly claimSql: string;
  /**
   * routedQueues() in SQL, for the claim: a topic one of `exact` or starting with one of `prefixes`
   * (`*` is ''). Derived from the routes the relay sees when it claims, not when it is built: a
   * subgraph hands its routes over after construction (a getter), and routing read too early is
   * empty, which marked every row delivered at its claim, so a job Redis then lost was never
   * re-added (the storm's lost conversion).
   */
  private routing: { of: OutboxRoutes; exact: string[]; prefixes: string[] } | undefined;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.table = qualifiedTable(opts.schema, 'outbox');
    // (In a WITH: TypeORM answers a bare UPDATE … RETURNING with [rows, count].) A row no route
    // sends to a queue is marked delivered with its claim: announcing it is all there is to do
    // (handed back if that fails). A relay that dies between the two leaves it unannounced, as
    // Redis pub/sub itself drops messages to a subscriber that is reconnecting; the subscribers
    // that must not miss one read back what they missed (conversions, by cursor).
    this.claimSql = `WITH claimed AS (
         UPDATE ${this.table} o SET published_at = now(), attempts = o.attempts + 1,
                delivered_at = CASE WHEN o.topic = ANY($2::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS r(prefix) WHERE starts_with(o.topic, r.prefix))
                                THEN o.delivered_at ELSE now() END
           FROM (SELECT id FROM ${this.table} WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) c
          WHERE o.id = c.id
          RETURNING ${ROW_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')})
       SELECT * FROM claimed`;
    this.log = opts.logger.child({ component: 'outbox-relay', schema: opts.schema });
    this.component = serviceOf(opts.logger) ?? opts.schema;
  }

  /** Starts the timer that retries unpublished rows and sweeps published ones. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.opts.sweepIntervalMs ?? 5000);
    this.timer.unref();
    this.notify();
  }

  /** Call after a commit that wrote outbox rows. Coalesced: at most one pass waits to run. */
  notify(): void {
    if (this.stopped || this.passQueued) return;
    this.passQueued = true;
    this.enqueue(() => {
      // Cleared when the pass starts, so a notify during the pass (a row committed after our
      // SELECT) schedules one more pass.
      this.passQueued = false;
      return this.publishPass();
    }).catch((err) => this.log.error({ err }, 'outbox publish pass failed'));
  }

  /** Runs a publish pass now (after any in flight); returns how many rows were published. */
  publishPendingNow(): Promise<number> {
    this.assertRunning();
    return this.enqueue(() => this.publishPass());
  }

  sweepNow(): Promise<{ requeued: number; delivered: number }> {
    this.assertRunning();
    return this.enqueue(() => this.sweepPass());
  }

  /** Waits for the pass in flight, closes the queues (and the connection) the relay made. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.tail.catch(() => undefined);
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    this.ownedConnection?.disconnect();
    this.ownedConnection = undefined;
  }

  private async tick(): Promise<void> {
    if (this.tickRunning || this.stopped) return;
    this.tickRunning = true;
    try {
      await this.enqueue(() => this.publishPass()).catch((err) => this.log.error({ err }, 'outbox publish pass failed'));
      if (this.stopped) return; // stop() has closed the queues
      await this.enqueue(() => this.sweepPass()).catch((err) => this.log.error({ err }, 'outbox sweep failed'));
    } finally {
      this.tickRunning = false;
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private assertRunning(): void {
    if (this.stopped) throw new Error('OutboxRelay is stopped');
  }

  private async publishPass(): Promise<number> {
    let published = 0;
    for (;;) {
      const batch = await this.publishBatch();
      published += batch.published;
      if (!batch.more) return published;
    }
  }

  /**
   * One batch: claimed and marked published in one statement (no transaction around the Redis
   * calls: four round trips to PostgreSQL per pass were a third of a subgraph's statements under
   * load, at about one event per pass), then added and announced; rows whose add or announcement
   * failed are handed back. If the process dies between the claim and the adds, the sweep finds
   * those jobs missing and adds them (as it does for jobs Redis lost), sweepAfterMs later.
   */
  private async publishBatch(): Promise<{ published: number; more: boolean }> {
    const limit = this.opts.batchSize ?? 100;
    // SKIP LOCKED: several relay processes share the work instead of waiting on each other.
    const routing = this.currentRouting();
    const claimed: OutboxRow[] = await this.opts.dataSource.query(this.claimSql, [limit, routing.exact, routing.prefixes]);
    const rows = claimed.sort((a, b) => compareIds(a.id, b.id));
    // Pipelined: every row's jobs are added at once, then every row's message is published at
    // once, in row order on one connection (so subscribers see events in order). Only the rows
    // before the first failure count as published; the rest go back for the next pass (a job added
    // twice is one job; a message may be announced twice, as at-least-once allows).
    const prepared = rows.map((row) => {
      const data = this.jobData(row);
      const queues = routedQueues(this.opts.routes, row.topic);
      return { row, data, queues, span: this.publishSpan(data, queues) };
    });
    const added = await Promise.allSettled(prepared.map((p) => this.addJobs(p.data, p.queues)));
    prepared.forEach((p, i) => {
      if (!p.span) return;
      const result = added[i]!;
      if (result.status === 'rejected') failSpan(p.span, result.reason);
      p.span.end();
    });
    const addedUpTo = firstRejected(added);
    const announced = await Promise.allSettled(prepared.slice(0, addedUpTo).map((p) => this.publishMessage(p.data)));
    const upTo = firstRejected(announced);
    const failed = upTo < rows.length;
    if (failed) {
      const row = rows[upTo]!;
      // Its publish failed (upTo < addedUpTo), or else its add did.
      const failure = (upTo < addedUpTo ? announced[upTo] : added[upTo]) as PromiseRejectedResult;
      this.log.warn({ err: failure.reason, outboxId: row.id, topic: row.topic }, 'outbox publish failed; will retry');
      // If this fails too, the sweep adds their jobs (they are marked published) sweepAfterMs later.
      await this.opts.dataSource.query(`UPDATE ${this.table} SET published_at = NULL, delivered_at = NULL WHERE id = ANY($1::bigint[])`, [
        rows.slice(upTo).map((r) => r.id),
      ]);
    }
    return { published: upTo, more: !failed && rows.length === limit };
  }

  private async sweepPass(): Promise<{ requeued: number; delivered: number }> {
    const totals = { requeued: 0, delivered: 0 };
    let afterId = '0';
    for (;;) {
      const batch = await this.opts.dataSource.transaction((m) => this.sweepBatch(m, afterId));
      totals.requeued += batch.requeued;
      totals.delivered += batch.delivered;
      if (!batch.lastId) return totals;
      afterId = batch.lastId;
    }
  }

  /** Sweeps one batch after `afterId`; `lastId` is null when there is nothing further. */
  private async sweepBatch(
    manager: EntityManager,
    afterId: string,
  ): Promise<{ requeued: number; delivered: number; lastId: string | null }> {
    const limit = this.opts.batchSize ?? 100;
    const rows: OutboxRow[] = await manager.query(
      `SELECT ${ROW_COLUMNS} FROM ${this.table}
        WHERE delivered_at IS NULL AND published_at IS NOT NULL
          AND published_at <= now() - $2::float8 * interval '1 millisecond' AND id > $1::bigint
        ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [afterId, this.opts.sweepAfterMs ?? 10_000, limit],
    );
    // Every row's job state in every routed queue, asked at once (one script call each).
    const checked = await Promise.allSettled(
      rows.map(async (row) => {
        const queues = routedQueues(this.opts.routes, row.topic);
        const jobId = outboxJobId(this.opts.schema, row.id);
        const states = await Promise.all(queues.map((name) => this.redisCall(this.queue(name).getJobState(jobId), 'getJobState')));
        return { row, missing: queues.filter((_, i) => states[i] === 'unknown'), allCompleted: states.every((st) => st === 'completed') };
      }),
    );
    const requeued: string[] = [];
    const delivered: string[] = [];
    let failed = false;
    for (const result of checked) {
      if (result.status === 'rejected') {
        this.log.warn({ err: result.reason }, 'outbox sweep failed; will retry');
        failed = true;
        break;
      }
      const { row, missing, allCompleted } = result.value;
      if (missing.length > 0) {
        // Redis lost the job (flush or restart): add it again; consumers are idempotent.
        try {
          const data = this.jobData(row);
          await this.addJobs(data, missing);
          await this.publishMessage(data);
          requeued.push(row.id);
        } catch (err) {
          this.log.warn({ err, outboxId: row.id, topic: row.topic }, 'outbox sweep failed; will retry');
          failed = true;
          break;
        }
      } else if (allCompleted) {
        delivered.push(row.id);
      }
    }
    if (requeued.length > 0) {
      this.log.info({ outboxIds: requeued }, 'outbox jobs missing from Redis were re-added');
      // Restarting the clock gives the re-added jobs sweepAfterMs to run before the next check.
      await manager.query(
        `UPDATE ${this.table} SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
        [requeued],
      );
    }
    if (delivered.length > 0) {
      await manager.query(`UPDATE ${this.table} SET delivered_at = now() WHERE id = ANY($1::bigint[])`, [delivered]);
    }
    const lastId = !failed && rows.length === limit ? rows[rows.length - 1]!.id : null;
    return { requeued: requeued.length, delivered: delivered.length, lastId };
  }

  /** The claim's routing for the routes as they are now (recomputed only when the routes object changes). */
  private currentRouting(): { exact: string[]; prefixes: string[] } {
    const routes = this.opts.routes;
    if (this.routing?.of !== routes) {
      const patterns = Object.entries(routes).filter(([, names]) => names.length > 0).map(([pattern]) => pattern);
      this.routing = {
        of: routes,
        exact: patterns.filter((p) => p !== '*' && !p.endsWith('.*')),
        prefixes: patterns.filter((p) => p === '*' || p.endsWith('.*')).map((p) => p.slice(0, -1)),
      };
    }
    return this.routing;
  }

  /**
   * With tracing on, a row written inside a trace is published in a producer span of that trace;
   * its jobs carry that span's traceparent, so each consumer's span is its child.
   */
  private publishSpan(data: OutboxJobData, queues: readonly string[]): Span | undefined {
    if (!data.traceparent || !tracingOn()) return undefined;
    const started = startSpan(this.component, `outbox ${data.topic} publish`, {
      kind: SpanKind.PRODUCER,
      parent: contextFromTraceparent(data.traceparent),
      attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queues.join(','), 'handoff.outbox.id': data.outboxId, 'handoff.outbox.schema': data.schema },
    });
    if (!started) return undefined;
    const traceparent = traceHeaders(started.ctx)?.traceparent;
    if (traceparent) data.traceparent = traceparent;
    return started.span;
  }

  private jobData(row: OutboxRow): OutboxJobData {
    // A row written inside a trace keeps its traceparent in the payload (outbox.ts): it goes to
    // the job data, where the consumer's span continues the trace, never to consumers' payload.
    const { payload, traceparent } = splitStoredPayload(row.payload);
    return {
      outboxId: String(row.id),
      schema: this.opts.schema,
      topic: row.topic,
      aggregateId: row.aggregate_id,
      payload,
      createdAt: new Date(row.created_at).toISOString(),
      ...(row.request_id ? { requestId: row.request_id } : {}),
      ...(traceparent ? { traceparent } : {}),
    };
  }

  private async addJobs(data: OutboxJobData, queueNames: readonly string[]): Promise<void> {
    const opts: JobsOptions = {
      // Same id on every add: BullMQ ignores an add whose id already exists.
      jobId: outboxJobId(this.opts.schema, data.outboxId),
      attempts: this.opts.jobAttempts ?? 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
      // Exhausted jobs stay in the failed set for an operator to list and replay.
      removeOnFail: false,
    };
    await Promise.all(queueNames.map((name) => this.redisCall(this.queue(name).add(data.topic, data, opts), 'add')));
  }

  private async publishMessage(data: OutboxJobData): Promise<void> {
    const channel = this.opts.pubsubChannel?.(data);
    if (channel) await this.redisCall(this.opts.redis.publish(channel, JSON.stringify(data)), 'publish');
  }

  /** A call that timed out may still land later: harmless, adds are deduplicated by job id. */
  private async redisCall<T>(call: Promise<T>, what: string): Promise<T> {
    const ms = this.opts.redisTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis ${what} timed out after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private queue(name: string): Queue<OutboxJobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<OutboxJobData>(name, { connection: this.connection(), prefix: this.opts.queuePrefix });
      // An unlistened 'error' event would crash the process.
      queue.on('error', (err) => this.log.warn({ err, queue: name }, 'outbox queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private connection(): RedisClient {
    if (this.opts.queueConnection) return this.opts.queueConnection;
    this.ownedConnection ??= this.opts.redis.duplicate();
    return this.ownedConnection;
  }
}

/** Orders bigint ids given as decimal strings. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The index of the first rejected result (its length when none was). */
function firstRejected(results: PromiseSettledResult<unknown>[]): number {
  const i = results.findIndex((r) => r.status === 'rejected');
  return i === -1 ? results.length : i;
}
