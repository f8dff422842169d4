// Webhooks in (API.md): POST /webhooks/:provider/:merchantId on the gateway's port. The raw
// bytes (never re-serialised: the signature covers them) and the PSP's signature header are
// forwarded to the payment-intent subgraph's signed internal route, which verifies, stores and
// answers; its status and JSON body are relayed. Bodies over the limit are refused with 413
// before anything reads them further, let alone computes an HMAC.
//
// Admission control: at most `maxInFlight` webhooks are being forwarded at once by this replica;
// one more is answered 503 + Retry-After at once, before its body is read (payment-intent bounds
// its own share the same way). A queue in front of payment-intent only makes every answer late,
// and a webhook whose sender has given up (it timed out) is not forwarded at all.
//
// Two ways in, one behaviour: the common delivery (a POST with a declared length, no content
// encoding) is taken on plain node:http in front of express — the ingestion path is the one that
// must keep up when a PSP replays a backlog, and express's router and body parser were about 40 %
// of the gateway's CPU per webhook. Anything else (chunked or encoded bodies) goes through the
// express route, which answers it the same way.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import { writeJson } from '@handoff/shared/http/write-json';
import type { GatewayMetrics } from '../http/metrics.js';
import type { GatewayRouteDeps, RouteMount } from '../route-deps.js';
import { forwardWebhook } from '../ports/payment-intent.port.js';
import { requestIdOf } from '../http/request-id.js';

export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;
const PROVIDERS = new Set(['test', 'stripe']);
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const FORWARDED_HEADERS = ['handoff-signature', 'stripe-signature', 'content-type'] as const;
const PATH = /^\/webhooks\/([^/?#]+)\/([^/?#]+)\/?(?:\?.*)?$/;
const PASS_THROUGH = new Set([200, 201, 202, 400, 404, 413, 503]);

/** Webhooks forwarded at once per gateway replica (the keep-alive agent's sockets to a subgraph: 128). */
export const WEBHOOK_MAX_IN_FLIGHT = 128;
export const WEBHOOK_SHED_RETRY_AFTER_S = 1;
/** The metrics route label of webhook deliveries. */
export const WEBHOOK_ROUTE = '/webhooks';

type Deps = Pick<GatewayRouteDeps, 'callInternal' | 'logger'>;

interface Answer {
  status: number;
  body: unknown;
  retryAfter?: string;
}

export interface WebhookIngressOptions {
  limitBytes?: number;
  maxInFlight?: number;
}

export interface WebhookIngress {
  /** The express route: deliveries the fast path leaves (chunked or encoded bodies). */
  mount: RouteMount;
  /** In front of everything: takes `POST /webhooks/…` with a declared length; anything else goes to `fallback`. */
  listener(deps: Deps, fallback: RequestListener, metrics?: GatewayMetrics): RequestListener;
}

export function webhookIngress(opts: WebhookIngressOptions = {}): WebhookIngress {
  const limit = opts.limitBytes ?? WEBHOOK_BODY_LIMIT_BYTES;
  const maxInFlight = opts.maxInFlight ?? WEBHOOK_MAX_IN_FLIGHT;
  let inFlight = 0;
  const tooLarge: Answer = { status: 413, body: { received: false, error: `body too large (limit ${limit} bytes)` } };
  const shed: Answer = {
    status: 503,
    retryAfter: String(WEBHOOK_SHED_RETRY_AFTER_S),
    body: { received: false, error: 'temporarily overloaded', retryAfterSeconds: WEBHOOK_SHED_RETRY_AFTER_S },
  };

  /** Admits one more in flight (released when its response closes), or refuses it. */
  const admit = (res: ServerResponse): boolean => {
    if (inFlight >= maxInFlight) return false;
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    return true;
  };

  const mount: RouteMount = (app, deps) => {
    const send = (res: Response, a: Answer) => {
      if (a.retryAfter) res.set('retry-after', a.retryAfter);
      res.status(a.status).json(a.body);
    };
    const admitted = (req: Request, res: Response, next: NextFunction) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) return void send(res, tooLarge);
      if (!admit(res)) return void send(res, shed);
      next();
    };
    const unreadable = (err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') return void send(res, tooLarge);
      if (err?.status && err.status >= 400 && err.status < 500) return void send(res, { status: 400, body: { received: false, error: 'bad request' } });
      next(err);
    };
    const bodyOf = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    app.post(
      '/webhooks/:provider/:merchantId',
      admitted,
      express.raw({ type: () => true, limit }),
      async (req: Request, res: Response) => {
        const { provider, merchantId } = req.params as { provider: string; merchantId: string };
        send(res, await deliver(deps, provider, merchantId, bodyOf(req), req, requestIdOf(req) ?? requestIdFrom(undefined)));
      },
      unreadable,
    );
    // Seed 003's path for the same ingestion (same verification, same inbox, same answers).
    app.post(
      PAYMENT_WEBHOOK_ALIAS,
      admitted,
      express.raw({ type: () => true, limit }),
      async (req: Request, res: Response) => {
        const target = aliasTarget(req);
        if ('error' in target) return void send(res, { status: 400, body: { received: false, error: target.error } });
        send(res, await deliver(deps, target.provider, target.merchantId, bodyOf(req), req, requestIdOf(req) ?? requestIdFrom(undefined)));
      },
      unreadable,
    );
  };

  const listener = (deps: Deps, fallback: RequestListener, metrics?: GatewayMetrics): RequestListener => {
    const duration = metrics?.httpDuration.labels({ route: WEBHOOK_ROUTE });
    const taken = (req: IncomingMessage): RegExpExecArray | null => {
      if (req.method !== 'POST' || !req.url?.startsWith('/webhooks/')) return null;
      if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-encoding'] ?? 'identity') !== 'identity') return null;
      if (!/^\d{1,9}$/.test(req.headers['content-length'] ?? '')) return null;
      return PATH.exec(req.url);
    };
    return (req, res) => {
      const match = taken(req);
      if (!match) return fallback(req, res);
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      if (duration && metrics) {
        const started = process.hrtime.bigint();
        res.once('finish', () => {
          duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
          metrics.httpRequests.inc({ route: WEBHOOK_ROUTE, status: res.statusCode });
        });
      }
      const params = decodeParams(match);
      if (!params) return void writeAnswer(res, { status: 400, body: { received: false, error: 'bad request' } });
      if (Number(req.headers['content-length']) > limit) return void writeAnswer(res, tooLarge, true);
      if (!admit(res)) return void writeAnswer(res, shed);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => res.destroy());
      req.on('end', () => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        deliver(deps, params.provider, params.merchantId, body, req, requestId)
          .catch((err: unknown): Answer => {
            deps.logger.error({ err, requestId }, 'webhook delivery failed');
            return { status: 503, retryAfter: '5', body: { received: false, error: 'temporarily unavailable' } };
          })
          .then((a) => writeAnswer(res, a));
      });
    };
  };

  return { mount, listener };
}

/**
 * `POST /v1/checkout/webhook/payment` (seed 003 §9): the PSP webhook of `/webhooks/:provider/:merchantId`
 * under seed 003's path. The provider is `?provider=` (`test`, `stripe`), else the signature header
 * says it (`Stripe-Signature`: stripe; `Handoff-Signature`: test); the merchant is `?merchant_id=`,
 * else the `Handoff-Merchant-Id` header.
 */
export const PAYMENT_WEBHOOK_ALIAS = '/v1/checkout/webhook/payment';

function aliasTarget(req: Request): { provider: string; merchantId: string } | { error: string } {
  const query = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const provider = query('provider') ?? (header('stripe-signature') !== undefined ? 'stripe' : header('handoff-signature') !== undefined ? 'test' : undefined);
  if (!provider) return { error: 'unknown provider: give ?provider= or the PSP signature header' };
  const merchantId = query('merchant_id') ?? header('handoff-merchant-id');
  if (!merchantId) return { error: 'unknown merchant: give ?merchant_id= or the Handoff-Merchant-Id header' };
  return { provider, merchantId };
}

/** The route's two parameters, percent-decoded as express does; null when they cannot be. */
function decodeParams(match: RegExpExecArray): { provider: string; merchantId: string } | null {
  try {
    return { provider: decodeURIComponent(match[1]!), merchantId: decodeURIComponent(match[2]!) };
  } catch {
    return null;
  }
}

/** `unread`: a body over the limit is not read, so the connection is not kept. */
function writeAnswer(res: ServerResponse, a: Answer, unread = false): void {
  writeJson(res, a.status, a.body, { headers: a.retryAfter ? { 'retry-after': a.retryAfter } : undefined, close: unread });
}

/** Validates the route's parameters and forwards the delivery; the answer to relay to the PSP. */
async function deliver(deps: Deps, provider: string, merchantId: string, body: Buffer, req: IncomingMessage, requestId: string): Promise<Answer> {
  if (!PROVIDERS.has(provider)) return { status: 404, body: { received: false, error: 'unknown provider' } };
  if (!MERCHANT_ID.test(merchantId)) return { status: 400, body: { received: false, error: 'unknown merchant' } };
  // The sender is gone (it gave up waiting): nobody would see the answer, and it will retry.
  if (req.socket.destroyed) return { status: 503, retryAfter: '5', body: { received: false, error: 'temporarily unavailable' } };
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
  for (const name of FORWARDED_HEADERS) {
    const v = req.headers[name];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) headers[name] = value;
  }
  let answer;
  try {
    answer = await forwardWebhook(deps.callInternal, { provider, merchantId, body, headers });
  } catch (err) {
    deps.logger.error({ err, provider, merchantId, requestId }, 'webhook could not reach payment-intent');
    return { status: 503, retryAfter: '5', body: { received: false, error: 'temporarily unavailable' } };
  }
  // The subgraph's own answers pass through; a refused internal call is our fault, not the PSP's.
  const passThrough = PASS_THROUGH.has(answer.status);
  const status = passThrough ? answer.status : answer.status === 401 || answer.status === 403 ? 502 : 503;
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    json = { received: false, error: 'unexpected answer' };
  }
  if (!passThrough) {
    deps.logger.error({ status: answer.status, provider, merchantId, requestId }, 'payment-intent answered a webhook unexpectedly');
    json = { received: false, error: 'temporarily unavailable' };
  }
  if (status !== 503) return { status, body: json };
  // A 503's Retry-After (payment-intent shedding load, or its database away) tells the PSP when to retry.
  const retryAfter = answer.headers['retry-after'];
  return { status, body: json, retryAfter: passThrough && typeof retryAfter === 'string' && /^\d{1,5}$/.test(retryAfter) ? retryAfter : '5' };
}
