// Signed non-GraphQL routes under /internal (webhook ingestion, which needs the raw body),
// served on plain node:http in front of the subgraph's express app: every call is a POST from
// another Handoff process, HMAC-signed like a GraphQL call, and ingestion is the path that must
// keep up when a PSP replays a backlog (express's router and body parser cost more than the
// route's own work). Answers are JSON: 401 unsigned, 404 no such route, 413 over the limit,
// 415 an encoded body (callers never encode), 500 a failure (logged, never shown).
import type { IncomingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, verifyRequest } from '../identity/signing.js';
import type { Principal } from '../identity/principal.js';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestContext, type Logger } from '../logging/logger.js';
import { actorOf } from '../identity/actor.js';
import { writeJson } from './write-json.js';

export const INTERNAL_PREFIX = '/internal';

export interface InternalRequest {
  principal: Principal;
  requestId: string;
  rawBody: Buffer;
  /** The path's `:name` segments, percent-decoded. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The caller hung up (it timed out): nobody will read the answer. */
  gone(): boolean;
}

export interface InternalAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface InternalRoute {
  /** Under /internal, e.g. `/webhooks/:provider/:merchantId`. POST only. */
  path: string;
  handle(req: InternalRequest): Promise<InternalAnswer>;
}

export interface InternalRoutesOptions {
  routes: InternalRoute[];
  secret: string;
  logger: Logger;
  limitBytes: number;
}

interface Compiled {
  pattern: RegExp;
  names: string[];
  route: InternalRoute;
}

const error = (status: number, message: string, code: string): InternalAnswer => ({ status, body: { errors: [{ message, extensions: { code } }] } });
const NOT_FOUND = error(404, 'Not found.', 'NOT_FOUND');
const UNAUTHORIZED = error(401, 'Unauthorized.', 'UNAUTHENTICATED');
const TOO_LARGE = error(413, 'Request body too large.', 'BAD_REQUEST');
const ENCODED = error(415, 'Encoded request bodies are not accepted.', 'BAD_REQUEST');
const UNEXPECTED = error(500, 'Unexpected error.', 'INTERNAL_SERVER_ERROR');

function compile(route: InternalRoute): Compiled {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${INTERNAL_PREFIX}${source}/?$`), names, route };
}

/** A listener that answers every `/internal/…` request itself and passes anything else to `fallback`. */
export function internalRoutesListener(opts: InternalRoutesOptions, fallback: RequestListener): RequestListener {
  const compiled = opts.routes.map(compile);
  const { logger } = opts;

  const match = (url: string): { route: InternalRoute; params: Record<string, string> } | null | 'bad' => {
    const path = url.split('?')[0]!;
    for (const c of compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      try {
        c.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      } catch {
        return 'bad';
      }
      return { route: c.route, params };
    }
    return null;
  };

  return (req, res) => {
    const url = req.url ?? '/';
    if (url !== INTERNAL_PREFIX && !url.startsWith(`${INTERNAL_PREFIX}/`) && !url.startsWith(`${INTERNAL_PREFIX}?`)) return fallback(req, res);
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const found = req.method === 'POST' ? match(url) : null;
    if (found === null) return void write(res, NOT_FOUND, true);
    if (found === 'bad') return void write(res, error(400, 'Bad request.', 'BAD_REQUEST'), true);
    if ((req.headers['content-encoding'] ?? 'identity') !== 'identity') return void write(res, ENCODED, true);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.limitBytes) return void write(res, TOO_LARGE, true);

    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > opts.limitBytes) {
        refused = true;
        write(res, TOO_LARGE, true);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (refused) return;
      const rawBody = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const verified = verifyRequest({
        secret: opts.secret,
        principalHeader: single(req.headers[PRINCIPAL_HEADER]),
        signatureHeader: single(req.headers[SIGNATURE_HEADER]),
        requestId,
        body: rawBody,
      });
      if (!verified.ok) {
        logger.warn({ reason: verified.reason, requestId }, 'rejected unsigned or invalid subgraph call');
        return void write(res, UNAUTHORIZED);
      }
      const request: InternalRequest = {
        principal: verified.principal,
        requestId,
        rawBody,
        params: found.params,
        headers: req.headers,
        gone: () => req.socket.destroyed,
      };
      runWithRequestContext({ requestId, actor: actorOf(verified.principal) }, () =>
        found.route
          .handle(request)
          .catch((err: unknown): InternalAnswer => {
            logger.error({ err, path: found.route.path }, 'internal route failed');
            return UNEXPECTED;
          })
          .then((answer) => write(res, answer)),
      );
    });
  };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `close`: the request's body is not read (refused early), so the connection is not kept. */
function write(res: ServerResponse, a: InternalAnswer, close = false): void {
  writeJson(res, a.status, a.body, { headers: a.headers, close });
}
