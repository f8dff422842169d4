// Signed callbacks into the risk checks, at the gateway without an API key (the signature is the
// credential), forwarded with their raw bytes and `Handoff-Signature` to payment-intent's signed
// internal routes (its risk/risk.routes.ts), whose answer is relayed:
//   POST /v1/checkout/webhook/fraud            a fraud provider's decision; the merchant is
//                                              `?merchant_id=` or the `Handoff-Merchant-Id` header
//   POST /v1/checkout/kyc/:kycId/complete      the KYC provider's callback
// 64 kB at most (413 before anything reads further). payment-intent unreachable → 503 with
// Retry-After: the sender delivers it again; nothing was recorded.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { sendError } from '../rest-http.js';

export const FRAUD_WEBHOOK = '/v1/checkout/webhook/fraud';
export const KYC_COMPLETE = '/v1/checkout/kyc/:kycId/complete';
const LIMIT = 64 * 1024;
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const KYC_ID = /^[A-Za-z0-9_-]{1,80}$/;
const RELAYED = new Set([200, 400, 404, 409]);

const raw = express.raw({ type: () => true, limit: LIMIT });
const tooLarge = (err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
  if (err?.type === 'entity.too.large') return sendError(res, 413, 'BAD_REQUEST', `The body must be at most ${LIMIT} bytes.`);
  if (err?.status && err.status >= 400 && err.status < 500) return sendError(res, 400, 'BAD_REQUEST', 'The body could not be read.');
  next(err);
};

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Forwards the raw body to payment-intent's `path` and relays its answer (503 when it cannot be reached or answers otherwise). */
async function forward(deps: GatewayRouteDeps, req: Request, res: Response, path: string): Promise<void> {
  const requestId = requestIdOf(req) ?? requestIdFrom(undefined);
  const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json' };
  const signature = header(req, 'handoff-signature');
  if (signature !== undefined) headers['handoff-signature'] = signature;
  let answer;
  try {
    answer = await deps.callInternal('payment-intent', path, body, headers);
  } catch (err) {
    deps.logger.error({ err, requestId, path }, 'risk callback could not reach payment-intent');
    res.setHeader('retry-after', '5');
    return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Temporarily unavailable; nothing was recorded. Deliver it again.');
  }
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (!RELAYED.has(answer.status) || !json) {
    if (answer.status !== 503) deps.logger.error({ status: answer.status, requestId, path }, 'payment-intent answered a risk callback unexpectedly');
    res.setHeader('retry-after', '5');
    return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Temporarily unavailable; nothing was recorded. Deliver it again.');
  }
  // The REST edges' error shape ({ error, code }) for refusals; the acknowledgement as it is.
  if (answer.status >= 400) return sendError(res, answer.status, String(json.code ?? 'BAD_REQUEST'), String(json.error ?? 'Refused.'), json.field ? { field: json.field } : {});
  res.status(answer.status).json(json);
}

export function mountInboundRoutes(app: Express, deps: GatewayRouteDeps): void {
  app.post(FRAUD_WEBHOOK, raw, async (req: Request, res: Response) => {
    try {
      const q = req.query.merchant_id;
      const merchantId = (typeof q === 'string' ? q : undefined) ?? header(req, 'handoff-merchant-id');
      if (!merchantId || !MERCHANT_ID.test(merchantId)) {
        return sendError(res, 400, 'BAD_USER_INPUT', 'merchant_id: name the merchant (?merchant_id= or the Handoff-Merchant-Id header).', { field: 'merchant_id' });
      }
      await forward(deps, req, res, `/internal/risk/fraud-decisions/${encodeURIComponent(merchantId)}`);
    } catch (err) {
      deps.logger.error({ err }, `POST ${FRAUD_WEBHOOK} failed`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  }, tooLarge);

  app.post(KYC_COMPLETE, raw, async (req: Request, res: Response) => {
    try {
      const kycId = String(req.params.kycId ?? '');
      if (!KYC_ID.test(kycId)) return sendError(res, 404, 'NOT_FOUND', 'KYC verification not found.');
      await forward(deps, req, res, `/internal/risk/kyc/${encodeURIComponent(kycId)}/complete`);
    } catch (err) {
      deps.logger.error({ err }, `POST ${KYC_COMPLETE} failed`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  }, tooLarge);
}
