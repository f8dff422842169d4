// Moves committed outbox rows to BullMQ queues and Redis pub/sub, at least once.
//
// Postgres is the record; Redis is not (it keeps nothing on disk here). A publish pass claims
// rows by marking them published and giving them the claim's `job_key` (its smallest id), then adds
// ONE job per routed queue carrying the claim's rows for that queue, with a deterministic id from
// the key (so republishing never duplicates a job; startWorker hands consumers one item at a
// time), and hands back the rows it could not add. One job per row and queue was most of the cost
// of an event (bench/RESULTS.md: ~9 jobs per renewal). A sweep re-adds jobs that Redis lost, or
// that a relay which died after its claim never added, and marks a row delivered once its job has
// completed in every routed queue. Rows claimed before job_key (NULL) keep their per-row jobs.
//
// Connections: `redis` (caller's, never closed here) is used for PUBLISH. The relay's BullMQ
// queues share one other connection: `queueConnection` if given (not closed here), otherwise a
// `redis.duplicate()` made on first use and closed by stop(). Keep commands failing rather than
// hanging while Redis is down: don't pass worker connections (`maxRetriesPerRequest: null`).
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../queue/redis.js';
import type { DataSource } from 'typeorm';
import { qualifiedTable } from '../idempotency/schema-name.js';
import type { Logger } from '../logging/index.js';
import { serviceOf } from '../logging/logger.js';
import { contextFromTraceparent, failSpan, SpanKind, startSpan, traceHeaders, tracingOn, type Span } from '../tracing/tracing.js';
import {
  outboxBatchJobId,
  outboxBatchJobName,
  outboxJobId,
  routedQueues,
  splitStoredPayload,
  type OutboxBatchJobData,
  type OutboxJobData,
  type OutboxRoutes,
} from './outbox.js';
import { sweepOutbox, type SweepContext } from './outbox-sweep.js';

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
  /** The claim's smallest id (its jobs' key); null on rows claimed before job_key. */
  job_key: string | null;
}

const ROW_COLUMNS = 'id, topic, aggregate_id, payload, created_at, request_id, job_key';

export class OutboxRelay {
  private readonly table: string;
  private readonly log: Logger;
  private readonly queues = new Map<string, Queue<OutboxJobData | OutboxBatchJobData>>();
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
    // job_key: the claim's smallest id, in the same statement (`c` is evaluated once).
    this.claimSql = `WITH c AS (SELECT id FROM ${this.table} WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE ${this.table} o SET published_at = now(), attempts = o.attempts + 1, job_key = (SELECT min(id) FROM c),
                delivered_at = CASE WHEN o.topic = ANY($2::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS r(prefix) WHERE starts_with(o.topic, r.prefix))
                                THEN o.delivered_at ELSE now() END
           FROM c
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
   * load, at about one event per pass), then added (one job per routed queue) and announced; rows
   * whose add or announcement failed are handed back. If the process dies between the claim and
   * the adds, the sweep finds those jobs missing and adds them (as it does for jobs Redis lost),
   * sweepAfterMs later.
   */
  private async publishBatch(): Promise<{ published: number; more: boolean }> {
    const limit = this.opts.batchSize ?? 100;
    // SKIP LOCKED: several relay processes share the work instead of waiting on each other.
    const routing = this.currentRouting();
    const claimed: OutboxRow[] = await this.opts.dataSource.query(this.claimSql, [limit, routing.exact, routing.prefixes]);
    const rows = claimed.sort((a, b) => compareIds(a.id, b.id));
    if (rows.length === 0) return { published: 0, more: false };
    // A producer span per row (each item keeps its own traceparent), then one job per routed queue
    // with the claim's rows for it, all added at once; then every row's message is published at
    // once, in row order on one connection (so subscribers see events in order). Only the rows
    // before the first one with a failed add or announcement count as published; the rest go back
    // for the next pass (a job added twice is one job; a row handed back whose job was added is in
    // two jobs, done twice, and a message may be announced twice, as at-least-once allows).
    const prepared = rows.map((row) => {
      const data = this.jobData(row);
      const queues = routedQueues(this.opts.routes, row.topic);
      return { row, data, queues, span: this.publishSpan(data, queues) };
    });
    const byQueue = itemsByQueue(prepared);
    const jobKey = rows[0]!.job_key ?? rows[0]!.id;
    const adds = await Promise.allSettled([...byQueue].map(([name, items]) => this.addBatchJob(name, jobKey, items)));
    const failedAdds = new Map([...byQueue.keys()].flatMap((name, i) => (adds[i]!.status === 'rejected' ? [[name, adds[i] as PromiseRejectedResult]] : [])));
    const addFailure = (queues: readonly string[]) => queues.map((q) => failedAdds.get(q)).find((f) => f !== undefined);
    for (const p of prepared) {
      if (!p.span) continue;
      const failure = addFailure(p.queues);
      if (failure) failSpan(p.span, failure.reason);
      p.span.end();
    }
    const firstNotAdded = prepared.findIndex((p) => addFailure(p.queues) !== undefined);
    const addedUpTo = firstNotAdded === -1 ? rows.length : firstNotAdded;
    const announced = await Promise.allSettled(prepared.slice(0, addedUpTo).map((p) => this.publishMessage(p.data)));
    const upTo = firstRejected(announced);
    const failed = upTo < rows.length;
    if (failed) {
      const row = rows[upTo]!;
      // Its publish failed (upTo < addedUpTo), or else its add did.
      const failure = upTo < addedUpTo ? (announced[upTo] as PromiseRejectedResult) : addFailure(prepared[upTo]!.queues)!;
      this.log.warn({ err: failure.reason, outboxId: row.id, topic: row.topic }, 'outbox publish failed; will retry');
      // If this fails too, the sweep adds their jobs (they are marked published) sweepAfterMs later.
      await this.opts.dataSource.query(`UPDATE ${this.table} SET published_at = NULL, delivered_at = NULL WHERE id = ANY($1::bigint[])`, [
        rows.slice(upTo).map((r) => r.id),
      ]);
    }
    return { published: upTo, more: !failed && rows.length === limit };
  }

  private sweepPass(): Promise<{ requeued: number; delivered: number }> {
    return sweepOutbox(this.sweepContext());
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

  private jobOptions(jobId: string): JobsOptions {
    return {
      // Same id on every add: BullMQ ignores an add whose id already exists.
      jobId,
      attempts: this.opts.jobAttempts ?? 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
      // Exhausted jobs stay in the failed set for an operator to list and replay.
      removeOnFail: false,
    };
  }

  /** A claim's job in one queue: `items` (in id order) are the claim's rows routed to it. */
  private async addBatchJob(queueName: string, jobKey: string, items: OutboxJobData[]): Promise<void> {
    const data: OutboxBatchJobData = { batch: items };
    await this.redisCall(this.queue(queueName).add(outboxBatchJobName(items), data, this.jobOptions(outboxBatchJobId(this.opts.schema, jobKey))), 'add');
  }

  /** A row claimed before job_key (the sweep re-adding what Redis lost): its own job, as then. */
  private async addRowJobs(data: OutboxJobData, queueNames: readonly string[]): Promise<void> {
    const opts = this.jobOptions(outboxJobId(this.opts.schema, data.outboxId));
    await Promise.all(queueNames.map((name) => this.redisCall(this.queue(name).add(data.topic, data, opts), 'add')));
  }

  private sweepContext(): SweepContext<OutboxRow> {
    return {
      dataSource: this.opts.dataSource,
      table: this.table,
      columns: ROW_COLUMNS,
      schema: this.opts.schema,
      routes: this.opts.routes,
      log: this.log,
      batchSize: this.opts.batchSize ?? 100,
      sweepAfterMs: this.opts.sweepAfterMs ?? 10_000,
      jobData: (row) => this.jobData(row),
      jobState: (queueName, jobId) => this.redisCall(this.queue(queueName).getJobState(jobId), 'getJobState'),
      addRowJobs: (data, queueNames) => this.addRowJobs(data, queueNames),
      addBatchJob: (queueName, jobKey, items) => this.addBatchJob(queueName, jobKey, items),
      publishMessage: (data) => this.publishMessage(data),
    };
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

  private queue(name: string): Queue<OutboxJobData | OutboxBatchJobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<OutboxJobData | OutboxBatchJobData>(name, { connection: this.connection(), prefix: this.opts.queuePrefix });
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

/** Each routed queue's items, in row order (the rows come in id order). */
function itemsByQueue(prepared: ReadonlyArray<{ data: OutboxJobData; queues: readonly string[] }>): Map<string, OutboxJobData[]> {
  const byQueue = new Map<string, OutboxJobData[]>();
  for (const p of prepared) {
    for (const name of p.queues) {
      const items = byQueue.get(name);
      if (items) items.push(p.data);
      else byQueue.set(name, [p.data]);
    }
  }
  return byQueue;
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
