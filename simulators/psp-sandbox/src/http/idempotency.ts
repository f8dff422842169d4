// Stripe's idempotent requests, as the sandbox honours them: a POST carrying an Idempotency-Key
// runs in one transaction with the key's row, and the response it got (a success, or a 402
// decline, which also changes the payment) is stored there. The same key again, for the same
// account, method, path and body, answers the stored response (header `Idempotent-Replayed:
// true`) and changes nothing; with another request it is 400 `idempotency_error`. Concurrent
// requests with one key queue on the key's row: the first runs, the others get its response.
// A request refused (a 4xx other than a decline) rolls back with its key: nothing is stored,
// and a retry runs again (Stripe stores nothing for a request that changed nothing either).
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import { idempotencyReused } from '../errors.js';
import { SANDBOX_SCHEMA } from '../webhooks/webhook-events.js';
import { body, idempotencyKey } from './request.js';

/** What a change answers: its HTTP status and JSON body. */
export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  /** The stored response of an earlier request with the key. */
  replayed?: boolean;
}

const T = `"${SANDBOX_SCHEMA}".idempotency_keys`;

/** JSON with its object keys sorted: the same parameters in another order are the same request. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function requestHash(req: Request): string {
  return createHash('sha256').update(`${req.method}\0${req.baseUrl}${req.path}\0${canonical(body(req))}`).digest('hex');
}

/**
 * Runs `work` in one transaction, under the request's Idempotency-Key when it has one. `work`
 * answers its response (a decline is a 402 response, not a throw, so that it is stored); a throw
 * rolls everything back, the key's row with it.
 */
export async function idempotentChange(
  dataSource: DataSource,
  merchantId: string,
  req: Request,
  work: (m: EntityManager) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const key = idempotencyKey(req);
  if (key === null) return dataSource.transaction(work);
  const hash = requestHash(req);
  return dataSource.transaction(async (m) => {
    // Waits on a concurrent request's uncommitted row with this key; finds it once committed.
    const inserted = (await m.query(`INSERT INTO ${T} (merchant_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`, [
      merchantId,
      key,
      hash,
    ])) as unknown[];
    if (!inserted.length) {
      const [stored] = (await m.query(`SELECT request_hash, response_status, response_body FROM ${T} WHERE merchant_id = $1 AND key = $2`, [merchantId, key])) as {
        request_hash: string;
        response_status: number;
        response_body: Record<string, unknown>;
      }[];
      if (!stored || stored.request_hash !== hash) throw idempotencyReused();
      return { status: stored.response_status, body: stored.response_body, replayed: true };
    }
    const out = await work(m);
    await m.query(`UPDATE ${T} SET response_status = $3, response_body = $4 WHERE merchant_id = $1 AND key = $2`, [merchantId, key, out.status, JSON.stringify(out.body)]);
    return out;
  });
}
