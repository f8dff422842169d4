// POST /v1/checkout/3ds/callback: the PSP's 3-D Secure result, without an API key (the signature
// is the credential), forwarded with its raw bytes and `Handoff-Signature` to payment-intent's
// signed internal route (payment-intent/three-ds-callback.ts), whose answer is relayed: 200 once
// applied, 400 WEBHOOK_SIGNATURE_INVALID (unsigned, tampered, stale) or BAD_USER_INPUT, 404 an
// unknown intent; 503 with Retry-After when it could not be recorded. 64 kB at most.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { sendError } from '../rest-http.js';

export const THREE_DS_CALLBACK = '/v1/checkout/3ds/callback';
const LIMIT = 64 * 1024;
const RELAYED = new Set([200, 400, 404]);
const raw = express.raw({ type: () => true, limit: LIMIT });
const tooLarge = (err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
  if (err?.type === 'entity.too.large') return sendError(res, 413, 'BAD_REQUEST', `The body must be at most ${LIMIT} bytes.`);
  if (err?.status && err.status >= 400 && err.status < 500) return sendError(res, 400, 'BAD_REQUEST', 'The body could not be read.');
  next(err);
};

export function mountThreeDSecureCallback(app: Express, deps: GatewayRouteDeps): void {
  app.post(
    THREE_DS_CALLBACK,
    raw,
    async (req: Request, res: Response) => {
      const requestId = requestIdOf(req) ?? requestIdFrom(undefined);
      const unavailable = () => {
        res.setHeader('retry-after', '5');
        sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Temporarily unavailable; nothing was recorded. Deliver it again.');
      };
      try {
        const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json' };
        const signature = req.headers['handoff-signature'];
        if (typeof signature === 'string') headers['handoff-signature'] = signature;
        const answer = await deps.callInternal('payment-intent', '/internal/payments/3ds/callback', body, headers);
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        if (!RELAYED.has(answer.status) || !json) return unavailable();
        if (answer.status >= 400) return sendError(res, answer.status, String(json.code ?? 'BAD_REQUEST'), String(json.error ?? 'Refused.'), json.field ? { field: json.field } : {});
        res.status(200).json(json);
      } catch (err) {
        deps.logger.error({ err, requestId }, `POST ${THREE_DS_CALLBACK} failed`);
        if (!res.headersSent) unavailable();
      }
    },
    tooLarge,
  );
}
