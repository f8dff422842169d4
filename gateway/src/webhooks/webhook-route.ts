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
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayRouteDeps, RouteMount } from '../routes.js';

export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;
const PROVIDERS = new Set(['test', 'stripe']);
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const FORWARDED_HEADERS = ['handoff-signature', 'stripe-signature', 'content-type'] as const;

/** Webhooks forwarded at once per gateway replica (the keep-alive agent's sockets to a subgraph: 128). */
export const WEBHOOK_MAX_IN_FLIGHT = 128;
export const WEBHOOK_SHED_RETRY_AFTER_S = 1;

export function webhookRoute(opts: { limitBytes?: number; maxInFlight?: number } = {}): RouteMount {
  const limit = opts.limitBytes ?? WEBHOOK_BODY_LIMIT_BYTES;
  const maxInFlight = opts.maxInFlight ?? WEBHOOK_MAX_IN_FLIGHT;
  let inFlight = 0;
  return (app, deps) => {
    const tooLarge = (res: Response) => res.status(413).json({ received: false, error: `body too large (limit ${limit} bytes)` });
    app.post(
      '/webhooks/:provider/:merchantId',
      (req: Request, res: Response, next: NextFunction) => {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) return void tooLarge(res);
        if (inFlight >= maxInFlight) {
          res.set('retry-after', String(WEBHOOK_SHED_RETRY_AFTER_S));
          return void res.status(503).json({ received: false, error: 'temporarily overloaded', retryAfterSeconds: WEBHOOK_SHED_RETRY_AFTER_S });
        }
        inFlight += 1;
        res.once('close', () => {
          inFlight -= 1;
        });
        next();
      },
      express.raw({ type: () => true, limit }),
      async (req: Request, res: Response) => {
        const { provider, merchantId } = req.params as { provider: string; merchantId: string };
        if (!PROVIDERS.has(provider)) return void res.status(404).json({ received: false, error: 'unknown provider' });
        if (!MERCHANT_ID.test(merchantId)) return void res.status(400).json({ received: false, error: 'unknown merchant' });
        const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        await forward(deps, provider, merchantId, body, req, res);
      },
      (err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
        if (err?.type === 'entity.too.large') return void tooLarge(res);
        if (err?.status && err.status >= 400 && err.status < 500) return void res.status(400).json({ received: false, error: 'bad request' });
        next(err);
      },
    );
  };
}

async function forward(deps: GatewayRouteDeps, provider: string, merchantId: string, body: Buffer, req: Request, res: Response): Promise<void> {
  // The sender is gone (it gave up waiting): nobody would see the answer, and it will retry.
  if (req.socket.destroyed) return;
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const v = req.headers[name];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) headers[name] = value;
  }
  let answer;
  try {
    answer = await deps.callInternal('payment-intent', `/internal/webhooks/${provider}/${encodeURIComponent(merchantId)}`, body, headers);
  } catch (err) {
    deps.logger.error({ err, provider, merchantId }, 'webhook could not reach payment-intent');
    res.status(503).set('retry-after', '5').json({ received: false, error: 'temporarily unavailable' });
    return;
  }
  // The subgraph's own answers pass through; a refused internal call is our fault, not the PSP's.
  const passThrough = [200, 201, 202, 400, 404, 413, 503].includes(answer.status);
  const status = passThrough ? answer.status : answer.status === 401 || answer.status === 403 ? 502 : 503;
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    json = { received: false, error: 'unexpected answer' };
  }
  if (!passThrough) {
    deps.logger.error({ status: answer.status, provider, merchantId }, 'payment-intent answered a webhook unexpectedly');
    json = { received: false, error: 'temporarily unavailable' };
  }
  // A 503's Retry-After (payment-intent shedding load, or its database away) tells the PSP when to retry.
  const retryAfter = answer.headers['retry-after'];
  if (status === 503) res.set('retry-after', passThrough && typeof retryAfter === 'string' && /^\d{1,5}$/.test(retryAfter) ? retryAfter : '5');
  res.status(status).json(json);
}

export const mountWebhookRoute: RouteMount = webhookRoute();
