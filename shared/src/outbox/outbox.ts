// The transactional outbox: an event is a row written in the same transaction as the state
// change it announces; OutboxRelay moves committed rows to BullMQ and Redis pub/sub.
import { currentRequestId } from '../logging/logger.js';
import { currentTraceparent } from '../tracing/tracing.js';
import type { EntityManager } from 'typeorm';
import { qualifiedTable } from '../idempotency/schema-name.js';
import { safeJobId } from '../queue/job-id.js';
import { hotQuery } from '../persistence/prepared-query.js';

export interface OutboxEvent {
  /** e.g. `payment_intent.succeeded`. */
  topic: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/** The data of every job the relay adds, and the body of its pub/sub message. */
export interface OutboxJobData {
  /** The outbox row id (bigint, as a string). */
  outboxId: string;
  schema: string;
  topic: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  /** ISO 8601. */
  createdAt: string;
  /** The request that caused the event, so a job's logs carry the same id as the request's. */
  requestId?: string;
  /** The W3C traceparent of the change's trace (tracing on): the job's span continues it. */
  traceparent?: string;
}

/**
 * The payload key under which a row keeps its trace's `traceparent` (written only while tracing is
 * on, inside a trace); the relay moves it to the job data's `traceparent` and the payload consumers
 * see never has it.
 */
export const OUTBOX_TRACEPARENT_KEY = '_traceparent';

/** The payload to store: with the active trace's traceparent while tracing is on (else `payload` itself). */
export function tracedPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const traceparent = currentTraceparent();
  return traceparent ? { ...payload, [OUTBOX_TRACEPARENT_KEY]: traceparent } : payload;
}

const storedPayload = (payload: Record<string, unknown>): string => JSON.stringify(tracedPayload(payload));

/** A stored payload and its traceparent apart (the relay's job data). */
export function splitStoredPayload(stored: Record<string, unknown>): { payload: Record<string, unknown>; traceparent?: string } {
  if (!(OUTBOX_TRACEPARENT_KEY in stored)) return { payload: stored };
  const { [OUTBOX_TRACEPARENT_KEY]: traceparent, ...payload } = stored;
  return typeof traceparent === 'string' ? { payload, traceparent } : { payload };
}

/**
 * Topic pattern → queue names. A pattern is an exact topic, `*` (every topic) or a prefix
 * ending in `.*` (`payment_intent.*` matches `payment_intent.succeeded`).
 */
export type OutboxRoutes = Record<string, readonly string[]>;

/** The transactions (their EntityManagers) that wrote outbox rows through this module. */
const writers = new WeakSet<EntityManager>();

/**
 * Whether `manager`'s transaction wrote an outbox row through addToOutbox, addAllToOutbox or
 * changeWithEvent: a caller whose changes only sometimes emit tells its relay after the commit
 * only when there is something to publish (a pass that finds nothing is still a statement).
 * Meaningful for a transaction's own manager (a data source's shared manager is every
 * autocommit caller's).
 */
export function wroteOutbox(manager: EntityManager): boolean {
  return writers.has(manager);
}

/** Inserts the event inside the caller's transaction; returns the row id. */
export async function addToOutbox(manager: EntityManager, schema: string, event: OutboxEvent): Promise<string> {
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO ${qualifiedTable(schema, 'outbox')} (topic, aggregate_id, payload, request_id)
     VALUES ($1, $2, $3::jsonb, $4) RETURNING id`,
    [event.topic, event.aggregateId, storedPayload(event.payload), currentRequestId() ?? null],
  );
  writers.add(manager);
  return String(rows[0]!.id);
}

/**
 * Several events of one change (an internal event and the merchant's `webhook_event.*` row), in
 * one INSERT inside the caller's transaction, in the order given; returns their row ids in order.
 */
export async function addAllToOutbox(manager: EntityManager, schema: string, events: readonly OutboxEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO ${qualifiedTable(schema, 'outbox')} (topic, aggregate_id, payload, request_id)
     SELECT e->>'topic', e->>'aggregateId', e->'payload', $2 FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n
     RETURNING id`,
    [JSON.stringify(events.map((e) => ({ topic: e.topic, aggregateId: e.aggregateId, payload: tracedPayload(e.payload) }))), currentRequestId() ?? null],
  );
  writers.add(manager);
  return rows.map((r) => String(r.id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/**
 * A change and its event(s) in one statement, so one round trip: `change.sql` is an INSERT or
 * UPDATE (without RETURNING) on `$1…$n`; each event row is written once for each row it wrote, so
 * none when it wrote none (an UPDATE whose version guard missed). `change.also` are more writes
 * on the same parameters in the same statement (a session's lines). `event` may be several events
 * (an internal event and the merchant's `webhook_event.*` row of the same change): written in the
 * order given, by the same INSERT. Returns how many rows `change.sql` wrote. Atomic by itself: a
 * caller with nothing else to write needs no transaction.
 */
export async function changeWithEvent(
  manager: EntityManager,
  schema: string,
  change: { sql: string; params: unknown[]; also?: string[] },
  event: OutboxEvent | readonly OutboxEvent[],
): Promise<number> {
  const events = Array.isArray(event) ? (event as readonly OutboxEvent[]) : [event as OutboxEvent];
  if (events.length === 0) throw new Error('changeWithEvent: no event to write');
  const n = change.params.length;
  const also = (change.also ?? []).map((sql, i) => `also${i} AS (${sql}),`).join('\n');
  // The request id is $n+1; event i's topic, aggregate and payload follow it.
  const values = events.map((_, i) => `($${n + 2 + 3 * i}::text, $${n + 3 + 3 * i}::text, $${n + 4 + 3 * i}::jsonb, ${i})`).join(', ');
  // Outside a transaction (an autocommit change), a named prepared statement (hotQuery): a statement
  // of several data-modifying CTEs costs PostgreSQL more to plan than to run, and each call site's
  // text is the same every time.
  const rows = await hotQuery<{ written: number }>(
    manager,
    'change-event',
    `WITH changed AS (${change.sql} RETURNING 1),
          ${also}
          event AS (INSERT INTO ${qualifiedTable(schema, 'outbox')} (topic, aggregate_id, payload, request_id)
                    SELECT e.topic, e.aggregate_id, e.payload, $${n + 1} FROM changed, (VALUES ${values}) AS e(topic, aggregate_id, payload, ord)
                    ORDER BY e.ord)
     SELECT count(*)::int AS written FROM changed`,
    [...change.params, currentRequestId() ?? null, ...events.flatMap((e) => [e.topic, e.aggregateId, storedPayload(e.payload)])],
  );
  if (rows[0]!.written > 0) writers.add(manager);
  return rows[0]!.written;
}

/** The queues a topic is routed to (deduplicated, in route order). */
export function routedQueues(routes: OutboxRoutes, topic: string): string[] {
  const queues = new Set<string>();
  for (const [pattern, names] of Object.entries(routes)) {
    const matches =
      pattern === '*' ||
      pattern === topic ||
      (pattern.endsWith('.*') && topic.startsWith(pattern.slice(0, -1)));
    if (matches) for (const name of names) queues.add(name);
  }
  return [...queues];
}

/** The Redis pub/sub channel an outbox event is announced on (subscribers pattern-match `<prefix>:events:*`). */
export const eventsChannel = (queuePrefix: string, topic: string) => `${queuePrefix}:events:${topic}`;

/**
 * The deterministic BullMQ job id of an outbox row, the same in every routed queue: the job of a
 * row claimed before batch jobs (its `job_key` is NULL), which the sweep still checks and re-adds.
 */
export function outboxJobId(schema: string, outboxId: string): string {
  return safeJobId(schema, 'outbox', outboxId);
}

/**
 * The data of the relay's job: one claim's rows routed to one queue, in id order. startWorker
 * hands a consumer each item as a job of its own (its `data` the item), so a consumer's processor
 * only ever sees OutboxJobData.
 */
export interface OutboxBatchJobData {
  batch: OutboxJobData[];
}

/**
 * The deterministic BullMQ job id of a claim's job, the same in every routed queue: `jobKey` is
 * the claim's smallest row id (the rows' `job_key`), so re-adding it never duplicates it.
 */
export function outboxBatchJobId(schema: string, jobKey: string): string {
  return safeJobId(schema, 'outbox-batch', jobKey);
}

/** The id of the job that carries an outbox row (its claim's, or its own if claimed before job_key), in each routed queue. */
export function outboxJobIdOfRow(schema: string, row: { id: string; jobKey: string | null }): string {
  return row.jobKey === null ? outboxJobId(schema, row.id) : outboxBatchJobId(schema, row.jobKey);
}

/** The items of a batch job's data, or undefined for any other job (an old per-row job's, another queue's). */
export function outboxBatchItems(data: unknown): OutboxJobData[] | undefined {
  const batch = (data as { batch?: unknown } | null | undefined)?.batch;
  if (!Array.isArray(batch)) return undefined;
  return batch.every((item) => typeof (item as { outboxId?: unknown } | null)?.outboxId === 'string') ? (batch as OutboxJobData[]) : undefined;
}

/** A batch job's name, for operators (the dashboard, the failed list): its topic(s) and size. */
export function outboxBatchJobName(items: readonly OutboxJobData[]): string {
  const topics = [...new Set(items.map((i) => i.topic))];
  if (topics.length === 1) return items.length === 1 ? topics[0]! : `${topics[0]} x${items.length}`;
  return `${items.length} events: ${topics.slice(0, 3).join(', ')}${topics.length > 3 ? ', ...' : ''}`;
}
