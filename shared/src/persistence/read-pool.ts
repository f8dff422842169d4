// Where a subgraph's reads go: BI and reporting reads (lists, aggregates, ledger entries,
// exports) to a PostgreSQL streaming replica (DATABASE_READ_URL) while it is close enough to the
// primary; everything else (commands, and every read that must see what was just written) to
// the primary. Which reads are which: docs/architecture.md, "Read replica".
//
// Lag is measured here, on one clock: each check reads the primary's WAL position
// (pg_current_wal_insert_lsn: with synchronous_commit off a commit may be past the write
// position pg_current_wal_lsn reports) and remembers when it first saw it; the replica's lag is the age of the
// oldest position it has not replayed yet (pg_last_wal_replay_lsn), 0 when it has replayed all
// of them. So an idle primary is not "lagging", a paused or cut-off replica is, and the figure is
// at most one check interval too low. Reads go to the primary when the replica is unreachable,
// is not a standby, has not been checked recently, or lags more than DATABASE_READ_MAX_LAG_SECONDS.
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadReplicaSettings } from '../config/config.js';
import { isTransientInfrastructureError } from '../errors/transient.js';

export type ReplicaState = 'none' | 'starting' | 'streaming' | 'lagging' | 'unreachable' | 'not_a_standby' | 'unchecked';

export interface ReplicaStatus {
  /** DATABASE_READ_URL is set. */
  configured: boolean;
  /** none: no replica configured; starting: not measured yet; unchecked: no measure for 3 intervals. */
  state: ReplicaState;
  /** Where reporting reads go right now. */
  readsGoTo: 'replica' | 'primary';
  /** Seconds of the primary's history the replica has not replayed; null when unknown. */
  lagSeconds: number | null;
  /** WAL bytes the replica had not replayed at the last check; null when unknown. */
  lagBytes: number | null;
  maxLagSeconds: number | null;
  /** The replica's replay is paused (pg_wal_replay_pause). */
  replayPaused: boolean | null;
  checkedAt: string | null;
  /** Why the replica is not used, when it is not. */
  reason?: string;
}

export interface ReadPoolOptions {
  primary: DataSource;
  /** The replica's DataSource (same entities and schema, no migrations), when DATABASE_READ_URL is set. */
  replica?: DataSource;
  settings?: ReadReplicaSettings;
  logger: Logger;
}

/** How many check intervals without a measure make the last one too old to route by. */
const STALE_CHECKS = 3;

/** WAL positions (`16/B374D848`) as bytes. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/**
 * The primary's insert position as a replica's replay position can equal it: at a page's first
 * byte the insert position points past the page header (24 bytes; 40 at a 16 MB segment's start),
 * while a replica that has replayed everything stops at the page boundary.
 */
export function comparableInsertLsn(lsn: bigint): bigint {
  const page = lsn % 8192n;
  if (page === 40n && lsn % (16n * 1024n * 1024n) === 40n) return lsn - 40n;
  return page === 24n ? lsn - 24n : lsn;
}

/** A replica failure a read may retry on the primary: unreachable, or a query cancelled by replay (hot standby conflict). */
function isReplicaFailure(err: unknown): boolean {
  const code = (err as { code?: unknown; driverError?: { code?: unknown } })?.code ?? (err as { driverError?: { code?: unknown } })?.driverError?.code;
  return isTransientInfrastructureError(err) || code === '40001' || code === '25P02';
}

export class ReadPool {
  readonly primary: DataSource;
  readonly replica: DataSource | undefined;
  private readonly settings: ReadReplicaSettings | undefined;
  private readonly logger: Logger;
  /** Primary WAL positions the replica had not replayed at the last check, with when each was first seen. */
  private pending: Array<{ at: number; lsn: bigint }> = [];
  private lastPrimaryLsn: bigint | undefined;
  private measured: { at: number; state: ReplicaState; lagBytes: number | null; replayPaused: boolean | null; reason?: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private readonly sources = new WeakMap<object, DataSource>();
  private fallbacks: Counter<'reason'> | undefined;

  constructor(opts: ReadPoolOptions) {
    this.primary = opts.primary;
    this.replica = opts.settings ? opts.replica : undefined;
    this.settings = opts.settings;
    this.logger = opts.logger.child({ component: 'read-pool' });
  }

  /**
   * A BI or reporting read: on the replica when it is usable, else on the primary. A replica that
   * fails the read (unreachable, or the query cancelled by replay) is retried on the primary.
   */
  async read<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
    const ds = this.target();
    if (ds === this.primary) return fn(ds);
    try {
      return await fn(ds);
    } catch (err) {
      if (!isReplicaFailure(err)) throw err;
      this.logger.warn({ err }, 'a read on the replica failed: answered by the primary');
      this.fallbacks?.inc({ reason: 'replica_error' });
      if (isTransientInfrastructureError(err)) this.measured = { at: Date.now(), state: 'unreachable', lagBytes: null, replayPaused: null, reason: 'a read failed: unreachable' };
      return fn(this.primary);
    }
  }

  /**
   * Where a reporting read that must include everything committed before it started (an export
   * of a range up to now) goes: the replica once it has replayed the primary's current WAL
   * position (waiting at most `maxWaitMs`), else the primary.
   */
  async caughtUp(maxWaitMs = 5_000): Promise<DataSource> {
    const replica = this.target();
    if (replica === this.primary) return this.primary;
    try {
      const [{ lsn }] = (await this.primary.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')) as [{ lsn: string }];
      const wanted = comparableInsertLsn(parseLsn(lsn));
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        const [{ replayed }] = (await replica.query('SELECT pg_last_wal_replay_lsn()::text AS replayed')) as [{ replayed: string | null }];
        if (replayed && parseLsn(replayed) >= wanted) return replica;
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      this.fallbacks?.inc({ reason: 'not_caught_up' });
    } catch (err) {
      if (!isReplicaFailure(err)) throw err;
      this.fallbacks?.inc({ reason: 'replica_error' });
    }
    return this.primary;
  }

  /** A read that must see every committed write (read-your-writes, a command's own reads): the primary, always. */
  fresh<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
    return fn(this.primary);
  }

  /** Rows remember where they were read, so their children are read from the same side (`readAlong`). */
  remember<T extends object>(rows: T[], ds: DataSource): T[] {
    for (const row of rows) this.sources.set(row, ds);
    return rows;
  }

  /** `to` (e.g. a row mapped to its GraphQL type) was read from where `from` was. */
  sameSourceAs<T extends object>(from: object, to: T): T {
    const ds = this.sources.get(from);
    if (ds) this.sources.set(to, ds);
    return to;
  }

  /** `row` was read from the replica (`remember`): its children are reporting reads too. */
  fromReplica(row: object): boolean {
    return this.replica !== undefined && this.sources.get(row) === this.replica;
  }

  /** A read of `parent`'s children: as a reporting read when the parent came from the replica, else fresh. */
  readAlong<T>(parent: object, fn: (ds: DataSource) => Promise<T>): Promise<T> {
    return this.fromReplica(parent) ? this.read(fn) : this.fresh(fn);
  }

  /** Where reporting reads go now. */
  target(): DataSource {
    return this.replica && this.status().readsGoTo === 'replica' ? this.replica : this.primary;
  }

  status(): ReplicaStatus {
    if (!this.replica || !this.settings) {
      return { configured: false, state: 'none', readsGoTo: 'primary', lagSeconds: 0, lagBytes: 0, maxLagSeconds: null, replayPaused: null, checkedAt: null };
    }
    const { maxLagSeconds, checkIntervalMs } = this.settings;
    const m = this.measured;
    const base = { configured: true, maxLagSeconds, checkedAt: m ? new Date(m.at).toISOString() : null, replayPaused: m?.replayPaused ?? null };
    if (!m) return { ...base, state: 'starting', readsGoTo: 'primary', lagSeconds: null, lagBytes: null, reason: 'not measured yet' };
    if (m.state !== 'streaming') return { ...base, state: m.state, readsGoTo: 'primary', lagSeconds: null, lagBytes: m.lagBytes, reason: m.reason };
    const lagSeconds = this.lagSeconds();
    if (Date.now() - m.at > STALE_CHECKS * checkIntervalMs + 2_000) {
      return { ...base, state: 'unchecked', readsGoTo: 'primary', lagSeconds, lagBytes: m.lagBytes, reason: 'no lag measure for too long' };
    }
    if (lagSeconds > maxLagSeconds) {
      return { ...base, state: 'lagging', readsGoTo: 'primary', lagSeconds, lagBytes: m.lagBytes, reason: `lag above DATABASE_READ_MAX_LAG_SECONDS (${maxLagSeconds})` };
    }
    return { ...base, state: 'streaming', readsGoTo: 'replica', lagSeconds, lagBytes: m.lagBytes };
  }

  /** Age of the oldest primary WAL position not replayed yet (grows between checks). */
  private lagSeconds(): number {
    const oldest = this.pending[0];
    return oldest ? Math.max(0, Date.now() - oldest.at) / 1000 : 0;
  }

  /** Measures the replica now (one at a time; a check already running is awaited). */
  check(): Promise<void> {
    if (!this.replica) return Promise.resolve();
    this.checking ??= this.measure().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async measure(): Promise<void> {
    const replica = this.replica!;
    const seenAt = Date.now();
    try {
      const [{ lsn }] = (await this.primary.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')) as [{ lsn: string }];
      const at = comparableInsertLsn(parseLsn(lsn));
      if (this.lastPrimaryLsn === undefined || at > this.lastPrimaryLsn) {
        this.pending.push({ at: seenAt, lsn: at });
        this.lastPrimaryLsn = at;
      }
    } catch (err) {
      // The primary is down: the positions already seen keep ageing; readiness reports PostgreSQL itself.
      this.logger.debug({ err }, 'replica lag check: the primary did not answer');
    }
    try {
      if (!replica.isInitialized) await replica.initialize();
      const [row] = (await replica.query(
        `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed,
                CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused`,
      )) as [{ standby: boolean; replayed: string | null; paused: boolean | null }];
      if (!row.standby || !row.replayed) {
        this.pending = [];
        if (this.measured?.state !== 'not_a_standby') this.logger.warn('DATABASE_READ_URL is not a standby (pg_is_in_recovery() is false): reporting reads stay on the primary');
        this.measured = { at: Date.now(), state: 'not_a_standby', lagBytes: null, replayPaused: null, reason: 'DATABASE_READ_URL is not in recovery (not a streaming replica)' };
        return;
      }
      const replayed = parseLsn(row.replayed);
      this.pending = this.pending.filter((p) => p.lsn > replayed);
      const behind = this.lastPrimaryLsn !== undefined && this.lastPrimaryLsn > replayed ? Number(this.lastPrimaryLsn - replayed) : 0;
      if (this.measured && this.measured.state !== 'streaming') this.logger.info('the read replica answers again');
      this.measured = { at: Date.now(), state: 'streaming', lagBytes: behind, replayPaused: row.paused };
    } catch (err) {
      if (this.measured?.state !== 'unreachable') this.logger.warn({ err }, 'the read replica is unreachable: reporting reads go to the primary');
      this.measured = { at: Date.now(), state: 'unreachable', lagBytes: null, replayPaused: null, reason: 'unreachable' };
    }
  }

  /** Starts measuring every DATABASE_READ_LAG_CHECK_MS (idempotent). */
  start(): void {
    if (!this.replica || !this.settings || this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  /** Gauges and a counter on `registry` (nothing when no replica is configured). */
  registerMetrics(registry: Registry): void {
    if (!this.replica) return;
    const pool = this;
    new Gauge({
      name: 'handoff_db_replica_lag_seconds',
      help: 'Seconds of the primary history the read replica has not replayed (NaN: unknown)',
      registers: [registry],
      collect() {
        this.set(pool.status().lagSeconds ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'handoff_db_replica_lag_bytes',
      help: 'WAL bytes the read replica had not replayed at the last check (NaN: unknown)',
      registers: [registry],
      collect() {
        this.set(pool.status().lagBytes ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'handoff_db_replica_up',
      help: '1 when the read replica answered the last check as a standby',
      registers: [registry],
      collect() {
        const s = pool.status().state;
        this.set(s === 'streaming' || s === 'lagging' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'handoff_db_replica_reads_routed',
      help: '1 when reporting reads go to the replica now, 0 when to the primary',
      registers: [registry],
      collect() {
        this.set(pool.status().readsGoTo === 'replica' ? 1 : 0);
      },
    });
    this.fallbacks = new Counter({
      name: 'handoff_db_replica_fallbacks_total',
      help: 'Reporting reads the replica failed and the primary answered',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checking?.catch(() => undefined);
    if (this.replica?.isInitialized) await this.replica.destroy();
  }
}
