// What the operator routes share: an ADMIN key (401 without a key, 403 with another kind), a
// JSON body limit, the Idempotency-Key on POST (1 to 255 printable ASCII characters; a repeat of
// a finished request answers its stored answer for 24 h, one in flight is 409
// IDEMPOTENCY_KEY_IN_USE, the same key on another route 409 IDEMPOTENCY_KEY_REUSED), `?limit=` and
// `?cursor=` parsing, and errors as `{ error, code }`.
import { createHash } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { restJsonBody } from '../rest-input.js';
import { authenticate, guarded, idempotencyKeyOf, sendError, sendInputProblem } from '../rest-http.js';

export const OPS = '/v1/checkout';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const STORED_FOR_S = 24 * 60 * 60;
const IN_FLIGHT_S = 60;
const json = restJsonBody('16kb');

export interface AdminCall {
  deps: GatewayRouteDeps;
  req: Request;
  res: Response;
  principal: Principal;
}

/** The answer of a POST, stored under its Idempotency-Key. */
export interface Answer {
  status: number;
  body: unknown;
}

type Method = 'get' | 'post';

/** Mounts `METHOD path` for ADMIN keys. A POST's handler returns its answer (stored under the key), a GET's sends it. */
export function mountAdminRoute(app: Express, deps: GatewayRouteDeps, method: 'get', path: string, handler: (call: AdminCall) => Promise<void>): void;
export function mountAdminRoute(app: Express, deps: GatewayRouteDeps, method: 'post', path: string, handler: (call: AdminCall) => Promise<Answer>): void;
export function mountAdminRoute(app: Express, deps: GatewayRouteDeps, method: Method, path: string, handler: (call: AdminCall) => Promise<void | Answer>): void {
  const run = guarded(deps, `${method.toUpperCase()} ${path}`, async (req, res) => {
    const principal = await adminPrincipal(deps, req, res);
    if (!principal) return;
    const call = { deps, req, res, principal };
    if (method === 'get') return void (await handler(call));
    const key = idempotencyKeyOf(req);
    if (key !== undefined && !KEY_PATTERN.test(key)) return sendInputProblem(res, { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters.' });
    const answer = key === undefined ? await handler(call) : await idempotent(call, key, `${method.toUpperCase()} ${req.path}`, () => handler(call) as Promise<Answer>);
    if (answer) res.status(answer.status).json(answer.body);
  });
  if (method === 'post') app.post(path, json, run);
  else app.get(path, run);
}

/** The caller when it holds an ADMIN key; otherwise undefined once 401 (no or unknown key) or 403 (another kind) is sent. */
export async function adminPrincipal(deps: GatewayRouteDeps, req: Request, res: Response): Promise<Principal | undefined> {
  const principal = await authenticate(deps, req, res);
  if (!principal) return undefined;
  if (principal.kind === 'ANONYMOUS') {
    res.setHeader('www-authenticate', 'Bearer realm="handoff"');
    return void sendError(res, 401, 'UNAUTHENTICATED', 'Missing, unknown or revoked API key.');
  }
  if (principal.kind !== 'ADMIN') return void sendError(res, 403, 'FORBIDDEN', 'The operator routes take an admin API key.');
  return principal;
}

/**
 * Runs `work` once per (admin key, Idempotency-Key): its answer is kept in Redis for 24 h and
 * answered again to a repeat; a repeat while it runs is 409 IDEMPOTENCY_KEY_IN_USE; the same key
 * on another route 409 IDEMPOTENCY_KEY_REUSED. A failure (5xx) is not kept: the key may be retried.
 */
async function idempotent(call: AdminCall, key: string, route: string, work: () => Promise<Answer>): Promise<Answer | undefined> {
  const redis = call.deps.redis();
  const owner = call.principal.kind === 'ADMIN' ? call.principal.keyId : 'admin';
  const slot = `${call.deps.config.operations.queuePrefix}:ops:idempotency:${createHash('sha256').update(`${owner}\n${key}`).digest('hex')}`;
  const claimed = await redis.set(slot, JSON.stringify({ route, pending: true }), 'EX', IN_FLIGHT_S, 'NX');
  if (!claimed) {
    const stored = JSON.parse((await redis.get(slot)) ?? '{"pending":true}') as { route?: string; pending?: boolean; answer?: Answer };
    if (stored.route && stored.route !== route) return { status: 409, body: { error: 'This Idempotency-Key was used for another request.', code: 'IDEMPOTENCY_KEY_REUSED' } };
    if (stored.pending || !stored.answer) return { status: 409, body: { error: 'A request with this Idempotency-Key is still running; retry shortly.', code: 'IDEMPOTENCY_KEY_IN_USE' } };
    call.res.setHeader('idempotent-replayed', 'true');
    return stored.answer;
  }
  let answer: Answer;
  try {
    answer = await work();
  } catch (err) {
    await redis.del(slot).catch(() => undefined);
    throw err;
  }
  if (answer.status >= 500) await redis.del(slot);
  else await redis.set(slot, JSON.stringify({ route, answer }), 'EX', STORED_FOR_S);
  return answer;
}

export const MAX_LIMIT = 100;
const CURSOR = /^[A-Za-z0-9_-]{1,700}$/;

/** `?limit=` (1 to 100, `fallback` when absent) and `?cursor=`; undefined once a 400 naming the field is sent. */
export function pageOf(call: AdminCall, fallback = 20): { first: number; after: string | undefined } | undefined {
  const { limit, cursor } = call.req.query;
  let first = fallback;
  if (limit !== undefined) {
    if (typeof limit !== 'string' || !/^[0-9]{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      return void sendInputProblem(call.res, { field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}.` });
    }
    first = Number(limit);
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || !CURSOR.test(cursor))) {
    return void sendInputProblem(call.res, { field: 'cursor', message: "must be a list's next_cursor." });
  }
  return { first, after: cursor as string | undefined };
}

/** `?name=` as a whole number from `min` to `max`; `fallback` when absent; undefined once a 400 is sent. */
export function intQuery(call: AdminCall, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = call.req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    return void sendInputProblem(call.res, { field: name, message: `must be an integer from ${min} to ${max}.` });
  }
  return Number(raw);
}
