// Failed portal logins, counted per (email, IP) in PostgreSQL (any replica sees every failure; a
// restart forgets nothing): after MAX_FAILURES failures within WINDOW_MS, the next attempt is
// refused with TOO_MANY_ATTEMPTS, even with the right password, until the oldest failure of the
// window ages out. A success clears the key's failures. The count and the check run under the
// key's advisory lock, so concurrent attempts cannot all slip under the limit.
import type { EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { sha256 } from './credentials.js';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

export const throttleKeyOf = (email: string, ip: string): string => sha256(`${email}\n${ip}`);

/** Holds the key's lock for the rest of the transaction. */
export async function lockThrottleKey(manager: EntityManager, key: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`portal-login:${key}`]);
}

/** Seconds until the key may try again, or 0 when it may now. */
export async function throttledFor(manager: EntityManager, key: string, now: Date): Promise<number> {
  const rows: Array<{ n: string; oldest: Date | null }> = await manager.query(
    `SELECT count(*) AS n, min(failed_at) AS oldest FROM "${SCHEMA_NAME}".portal_login_failures
      WHERE throttle_key = $1 AND failed_at > $2`,
    [key, new Date(now.getTime() - WINDOW_MS)],
  );
  const { n, oldest } = rows[0]!;
  if (Number(n) < MAX_FAILURES || !oldest) return 0;
  return Math.max(1, Math.ceil((new Date(oldest).getTime() + WINDOW_MS - now.getTime()) / 1000));
}

export async function recordFailure(manager: EntityManager, key: string, now: Date): Promise<void> {
  await manager.query(`INSERT INTO "${SCHEMA_NAME}".portal_login_failures (throttle_key, failed_at) VALUES ($1, $2)`, [key, now]);
  // Old rows of this key are of no more use.
  await manager.query(`DELETE FROM "${SCHEMA_NAME}".portal_login_failures WHERE throttle_key = $1 AND failed_at <= $2`, [key, new Date(now.getTime() - WINDOW_MS)]);
}

export async function clearFailures(manager: EntityManager, key: string): Promise<void> {
  await manager.query(`DELETE FROM "${SCHEMA_NAME}".portal_login_failures WHERE throttle_key = $1`, [key]);
}
