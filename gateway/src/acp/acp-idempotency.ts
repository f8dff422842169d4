// ACP's Idempotency-Key (spec §6), in front of the routes (the spec's "middleware pattern"), kept
// in Redis for 24 hours, scoped to the authenticated agent key and the endpoint path:
//   no key on a POST                → 400 idempotency_key_required
//   same key, same body, answered   → the stored answer, same status, `Idempotent-Replayed: true`
//   same key, same body, in flight  → 409 idempotency_in_flight with Retry-After
//   same key, another body          → 422 idempotency_conflict (in flight or answered)
//   a 5xx answer is not kept: a retry runs afresh.
// Bodies are compared by a fingerprint of their canonical JSON (keys sorted, arrays in order,
// null kept distinct from absent). Underneath, the key is also passed to the subgraphs' mutations,
// whose own idempotency store makes each write once (the session's create, a change, a payment).
import { createHash } from 'node:crypto';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { acpError, type AcpAnswer } from './acp-http.js';

export const RETENTION_SECONDS = 24 * 60 * 60;
const IN_FLIGHT_SECONDS = 120;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface Stored {
  fp: string;
  answer?: AcpAnswer;
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export const fingerprint = (body: unknown): string => createHash('sha256').update(canonicalJson(body ?? {})).digest('base64url');

/** Runs `work` once per (caller, path, key); answers replays, in-flight duplicates and conflicts as §6 says. */
export async function idempotent(
  redis: RedisClient,
  scope: { caller: string; path: string; key: string | undefined; body: unknown },
  work: () => Promise<AcpAnswer>,
): Promise<AcpAnswer> {
  const { key } = scope;
  if (key === undefined || key === '') return acpError(400, 'idempotency_key_required', 'Idempotency-Key header is required on all POST requests');
  if (!KEY_PATTERN.test(key)) return acpError(400, 'invalid', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', undefined);
  const id = `acp:idem:${createHash('sha256').update(`${scope.caller}\n${scope.path}\n${key}`).digest('base64url')}`;
  const fp = fingerprint(scope.body);
  const claimed = await redis.set(id, JSON.stringify({ fp } satisfies Stored), 'EX', IN_FLIGHT_SECONDS, 'NX');
  if (claimed !== 'OK') {
    const raw = await redis.get(id);
    if (raw === null) return acpError(409, 'idempotency_in_flight', 'A request with this Idempotency-Key is currently being processed', undefined);
    const stored = JSON.parse(raw) as Stored;
    if (stored.fp !== fp) return acpError(422, 'idempotency_conflict', 'Idempotency-Key has already been used with a different request body');
    if (!stored.answer) {
      return { ...acpError(409, 'idempotency_in_flight', 'A request with this Idempotency-Key is currently being processed'), headers: { 'Retry-After': '1' } };
    }
    return { ...stored.answer, headers: { ...stored.answer.headers, 'Idempotent-Replayed': 'true' } };
  }
  let answer: AcpAnswer;
  try {
    answer = await work();
  } catch (err) {
    await redis.del(id).catch(() => undefined);
    throw err;
  }
  if (answer.status >= 500) await redis.del(id);
  else await redis.set(id, JSON.stringify({ fp, answer } satisfies Stored), 'EX', RETENTION_SECONDS);
  return answer;
}
