// The read replica in the operators' health report (GET /v1/checkout/health, through each
// subgraph's signed operations health route): a fresh measure (ReadPool.check), then its state,
// its lag (seconds of the primary's history and WAL bytes not replayed, ReadPool's own measure)
// and, read on the standby itself, how long ago the last transaction it replayed committed
// (now() - pg_last_xact_replay_timestamp(): on an idle primary this grows with no lag, so it is
// reported beside the lag, never as it). A replica that is unreachable, not a standby, or past
// DATABASE_READ_MAX_LAG_SECONDS is `degraded`, never `down`: BI reads go to the primary, which
// answers every read.
import type { HealthProbe, HealthReport } from '../http/operations-health.js';
import type { ReadPool, ReplicaStatus } from './read-pool.js';

/** The check's name in a subgraph's operations health answer (only when DATABASE_READ_URL is set). */
export const READ_REPLICA_CHECK = 'read_replica';

/** What the check carries beside its sentence (snake_case: it is copied into the gateway's report). */
export type ReplicaHealthData = {
  state: ReplicaStatus['state'];
  reachable: boolean;
  reads_go_to: ReplicaStatus['readsGoTo'];
  lag_seconds: number | null;
  lag_bytes: number | null;
  max_lag_seconds: number | null;
  replay_paused: boolean | null;
  /** now() - pg_last_xact_replay_timestamp() on the standby; null when unreadable (unreachable, nothing replayed yet). */
  last_replayed_commit_age_seconds: number | null;
};

const round = (n: number | null, digits = 3) => (n === null ? null : Number(n.toFixed(digits)));

async function lastReplayedCommitAge(reads: ReadPool, waitMs: number): Promise<number | null> {
  const replica = reads.replica;
  if (!replica?.isInitialized) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  return Promise.race([late, replayAgeOn(replica)]).finally(() => clearTimeout(timer));
}

async function replayAgeOn(replica: NonNullable<ReadPool['replica']>): Promise<number | null> {
  try {
    const [row] = (await replica.query(
      `SELECT EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::float8 AS age WHERE pg_is_in_recovery()`,
    )) as Array<{ age: number | null }>;
    return row?.age ?? null;
  } catch {
    return null;
  }
}

export function replicaHealthReport(status: ReplicaStatus, replayAge: number | null): HealthReport & { data: ReplicaHealthData } {
  const reachable = status.state === 'streaming' || status.state === 'lagging';
  const data: ReplicaHealthData = {
    state: status.state,
    reachable,
    reads_go_to: status.readsGoTo,
    lag_seconds: round(status.lagSeconds),
    lag_bytes: status.lagBytes,
    max_lag_seconds: status.maxLagSeconds,
    replay_paused: status.replayPaused,
    last_replayed_commit_age_seconds: round(replayAge, 1),
  };
  const lag = `lag ${data.lag_seconds ?? '?'} s, ${data.lag_bytes ?? '?'} bytes`;
  const replayed = data.last_replayed_commit_age_seconds === null ? '' : `; last replayed commit ${data.last_replayed_commit_age_seconds} s ago`;
  const paused = status.replayPaused ? '; replay paused' : '';
  if (status.state === 'streaming') return { status: 'ok', detail: `read replica streaming (${lag}${replayed}${paused}): BI reads on the replica`, data };
  const why = status.state === 'lagging' ? `lagging (${lag}, above ${status.maxLagSeconds} s${paused})` : `${status.state}${status.reason ? ` (${status.reason})` : ''}`;
  return { status: 'degraded', detail: `read replica ${why}: BI reads on the primary`, data };
}

/** How long the probe waits for a fresh measure (inside the route's 2 s): past it, the replica did not answer. */
const MEASURE_WAIT_MS = 1_200;

/** The probe a subgraph with DATABASE_READ_URL adds to its operations health route. */
export function replicaHealthProbe(reads: ReadPool): HealthProbe {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      reads.check().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), MEASURE_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!answered) {
      const status = reads.status();
      return replicaHealthReport({ ...status, state: 'unreachable', readsGoTo: status.readsGoTo, reason: `no answer within ${MEASURE_WAIT_MS} ms` }, null);
    }
    return replicaHealthReport(reads.status(), await lastReplayedCommitAge(reads, 500));
  };
}
