// Idempotency keys with Stripe's semantics: the first request with a key runs and its response
// is stored in the same transaction as its effects; a retry with the same input gets the stored
// response; the same key with different input is IDEMPOTENCY_KEY_REUSED. Failures are not
// stored (the transaction rolls back), so a corrected retry with the same key runs.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput, idempotencyKeyInUse, idempotencyKeyReused, unauthenticated } from '../errors/index.js';
import type { Principal } from '../identity/principal.js';
import { requestHash } from './canonical-json.js';
import { qualifiedTable } from './schema-name.js';

/** How long a stored response answers retries (Stripe keeps keys for 24 hours). */
export const IDEMPOTENCY_TTL_HOURS = 24;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** An idempotency key is 1 to 255 printable ASCII characters (checked before anything is looked up). */
export function assertIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw badUserInput('idempotencyKey', 'must be 1 to 255 printable ASCII characters.');
  }
}

/** How long a caller waits for another request with its key to finish before IDEMPOTENCY_KEY_IN_USE. */
export const IDEMPOTENCY_WAIT_MS = 15_000;

const BUSY = Symbol('busy');
/** Thrown by `record` (prepared) when another request holds the key; `prepared` waits and tries again. */
class IdempotencyKeyBusy extends Error {}

/** Runs `exec` under the key inside the caller's transaction (`manager`); see IdempotencyStore.prepared. */
export type RecordIn<T> = (manager: EntityManager, exec: () => Promise<T>) => Promise<T>;

export interface IdempotentRunOptions {
  principal: Principal;
  key: string | undefined | null;
  /** A stable name for the command, e.g. `createPaymentIntent`. */
  operation: string;
  /** The command's input; its canonical JSON is hashed with the operation. */
  input: unknown;
  /**
   * `exec` writes in one statement (after plain reads), so it is atomic by itself: without a key
   * it runs on the pool, saving the BEGIN and COMMIT round trips. With a key it always runs in
   * the key's transaction, with the stored response.
   */
  singleWrite?: boolean;
}

export interface IdempotencyCodec<T> {
  /** The JSON stored for a result. */
  toStored: (result: T) => unknown;
  /** Rebuilds the result from stored JSON (may reload entities through `manager`). */
  fromStored: (stored: any, manager: EntityManager) => Promise<T>;
}

/** Keys belong to a caller: two merchants may use the same key for different requests. */
export function idempotencyScope(principal: Principal): string {
  switch (principal.kind) {
    case 'MERCHANT':
      return `MERCHANT:${principal.merchantId}`;
    case 'AGENT':
      return `AGENT:${principal.agentId}`;
    case 'ADMIN':
      return `ADMIN:${principal.keyId}`;
    case 'SERVICE':
      return `SERVICE:${principal.service}`;
    case 'CLIENT':
      return `CLIENT:${principal.checkoutSessionId}`;
    case 'ANONYMOUS':
      // No stable owner: every anonymous caller would share one key space.
      throw unauthenticated('An idempotency key needs an authenticated caller.');
  }
}

interface StoredRow {
  operation: string;
  request_hash: string;
  response: unknown;
  fresh: boolean;
}

export class IdempotencyStore {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {
    this.table = qualifiedTable(schema, 'idempotency_keys');
  }

  async run<T>(
    opts: IdempotentRunOptions,
    exec: (manager: EntityManager) => Promise<T>,
    codec: IdempotencyCodec<T>,
  ): Promise<T> {
    const { key } = opts;
    if (key === undefined || key === null) return opts.singleWrite ? exec(this.dataSource.manager) : this.dataSource.transaction(exec);
    assertIdempotencyKey(key);
    const scope = idempotencyScope(opts.principal);
    const hash = requestHash(opts.operation, opts.input);

    // Most retries come after the first request finished: answer them with one indexed read,
    // without a transaction or a lock.
    const stored = await this.readFresh(this.dataSource.manager, scope, key);
    if (stored) return this.replay(stored, opts.operation, hash, codec, this.dataSource.manager);

    // Otherwise run under the key's lock. A caller that finds the key busy waits WITHOUT holding a
    // pooled connection (a thousand concurrent retries must not exhaust the pool), then re-checks.
    const lockId = this.lockId(scope, key);
    const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.dataSource.transaction(async (manager): Promise<{ value: T } | typeof BUSY> => {
        const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [lockId]);
        if (!locked) return BUSY;
        // Held until commit/rollback; after it (READ COMMITTED) the next caller sees the committed row.
        const row = await this.readRow(manager, scope, key);
        if (row?.fresh) return { value: await this.replay(row, opts.operation, hash, codec, manager) };
        if (row) await manager.query(`DELETE FROM ${this.table} WHERE scope = $1 AND key = $2`, [scope, key]);

        const result = await exec(manager);
        await manager.query(
          `INSERT INTO ${this.table} (scope, key, operation, request_hash, response)
           VALUES ($1, $2, $3, $4, $5::jsonb)`,
          [scope, key, opts.operation, hash, JSON.stringify(codec.toStored(result) ?? null)],
        );
        return { value: result };
      });
      if (outcome !== BUSY) return outcome.value;
      if (Date.now() >= deadline) throw idempotencyKeyInUse();
      await sleep(Math.min(250, 10 * 2 ** attempt) + Math.floor(Math.random() * 20));
    }
  }

  /**
   * For a command that works its change out before its own transaction (checkout-session's
   * SessionChanger prices a session outside any). `attempt` does the work and calls `record`
   * inside its transaction with what writes: `record` takes the key's lock, answers a request
   * with the key that finished meanwhile, else runs `exec` and stores its response in that
   * transaction (a failure stores nothing). A finished request's stored response answers before
   * any work starts, and after a failure (a request with the key changed the version this one
   * expected). While another request holds the key, `attempt` runs again once it is free (up to
   * IDEMPOTENCY_WAIT_MS, then IDEMPOTENCY_KEY_IN_USE), without holding a connection meanwhile.
   * Without a key, `record` just runs `exec`.
   */
  async prepared<T>(opts: IdempotentRunOptions, codec: IdempotencyCodec<T>, attempt: (record: RecordIn<T>) => Promise<T>): Promise<T> {
    const { key } = opts;
    if (key === undefined || key === null) return attempt((_manager, exec) => exec());
    assertIdempotencyKey(key);
    const scope = idempotencyScope(opts.principal);
    const hash = requestHash(opts.operation, opts.input);
    const storedAnswer = async () => {
      const row = await this.readFresh(this.dataSource.manager, scope, key);
      return row ? { value: await this.replay(row, opts.operation, hash, codec, this.dataSource.manager) } : undefined;
    };
    const record: RecordIn<T> = async (manager, exec) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [this.lockId(scope, key)]);
      if (!locked) throw new IdempotencyKeyBusy('idempotency key busy');
      const row = await this.readRow(manager, scope, key);
      if (row?.fresh) return this.replay(row, opts.operation, hash, codec, manager);
      if (row) await manager.query(`DELETE FROM ${this.table} WHERE scope = $1 AND key = $2`, [scope, key]);
      const result = await exec();
      await manager.query(
        `INSERT INTO ${this.table} (scope, key, operation, request_hash, response)
         VALUES ($1, $2, $3, $4, $5::jsonb)`,
        [scope, key, opts.operation, hash, JSON.stringify(codec.toStored(result) ?? null)],
      );
      return result;
    };
    const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
    for (let wait = 0; ; wait++) {
      const before = await storedAnswer();
      if (before) return before.value;
      try {
        return await attempt(record);
      } catch (err) {
        if (!(err instanceof IdempotencyKeyBusy)) {
          const after = await storedAnswer();
          if (after) return after.value;
          throw err;
        }
        if (Date.now() >= deadline) throw idempotencyKeyInUse();
        await sleep(Math.min(250, 10 * 2 ** wait) + Math.floor(Math.random() * 20));
      }
    }
  }

  private async readRow(manager: EntityManager, scope: string, key: string): Promise<StoredRow | undefined> {
    const rows: StoredRow[] = await manager.query(
      `SELECT operation, request_hash, response,
              created_at > now() - $3::float8 * interval '1 hour' AS fresh
         FROM ${this.table} WHERE scope = $1 AND key = $2`,
      [scope, key, IDEMPOTENCY_TTL_HOURS],
    );
    return rows[0];
  }

  private async readFresh(manager: EntityManager, scope: string, key: string): Promise<StoredRow | undefined> {
    const row = await this.readRow(manager, scope, key);
    return row?.fresh ? row : undefined;
  }

  private replay<T>(row: StoredRow, operation: string, hash: string, codec: IdempotencyCodec<T>, manager: EntityManager): Promise<T> {
    if (row.operation !== operation || row.request_hash !== hash) throw idempotencyKeyReused();
    return codec.fromStored(row.response, manager);
  }

  /** Deletes stored responses older than `olderThanHours`; returns how many. */
  async purgeExpired(olderThanHours = IDEMPOTENCY_TTL_HOURS): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM ${this.table} WHERE created_at < now() - $1::float8 * interval '1 hour' RETURNING 1
       ) SELECT count(*)::int AS n FROM gone`,
      [olderThanHours],
    );
    return rows[0]?.n ?? 0;
  }

  /** A signed 64-bit advisory lock id for (schema, scope, key). */
  private lockId(scope: string, key: string): string {
    const digest = createHash('sha256').update(`idempotency\0${this.schema}\0${scope}\0${key}`).digest();
    return digest.readBigInt64BE(0).toString();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
