// What every hosted-page route shares: the CLIENT principal from the client secret, the JSON body
// parser answering in this API's error shape, async handlers that never answer a 500, and the
// failure answer `{ error, code, reason?, blockers?, ...extra }`.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { verifyClientSecret } from '@handoff/shared/identity/client-secret';
import { verifyCheckoutToken } from '@handoff/shared/identity/checkout-token';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../route-deps.js';
import { depsForRequest } from '../http/request-id.js';
import type { ApiFailure } from './checkout-api.js';

const SESSION_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function sendFailure(res: Response, failure: ApiFailure, extra: Record<string, unknown> = {}): void {
  const { blockers, reason } = failure;
  res.status(failure.status).json({ error: failure.message, code: failure.code, ...(reason ? { reason } : {}), ...(blockers ? { blockers } : {}), ...extra });
}

function secretOf(req: Request, allowHeader: boolean): string | undefined {
  const header = req.headers.authorization;
  if (allowHeader && typeof header === 'string') {
    const match = /^Bearer\s+(\S{1,300})$/i.exec(header.trim());
    if (match) return match[1];
  }
  const cs = req.query.cs;
  return typeof cs === 'string' && cs.length <= 300 ? cs : undefined;
}

/** The CLIENT principal of the session in the path, when the secret is that session's. */
export function clientPrincipal(deps: GatewayRouteDeps, req: Request, allowHeader: boolean): Principal | undefined {
  const sessionId = String(req.params.sessionId ?? '');
  const secret = secretOf(req, allowHeader);
  if (!SESSION_ID.test(sessionId) || !secret) return undefined;
  // The client secret, or a hosted link's / embed token for this session that has not expired (seed 003 §12).
  const bound = verifyClientSecret(secret, deps.config.internalSecret) ?? verifyCheckoutToken(secret, deps.config.internalSecret)?.checkoutSessionId;
  return bound === sessionId ? { kind: 'CLIENT', checkoutSessionId: sessionId } : undefined;
}

/** Parses JSON bodies, answering bad or oversized ones in this API's error shape. */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, type: () => true });
  return (req, res, next) => {
    parse(req, res, (err?: { type?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large';
      sendFailure(res, {
        status: tooLarge ? 413 : 400,
        code: 'BAD_USER_INPUT',
        message: tooLarge ? 'Request body too large.' : 'The body must be valid JSON.',
      });
    });
  };
}

/** Async handlers: a throw answers 503 in this API's shape, never a 500 or a stack. */
export const safely =
  (shared: GatewayRouteDeps, handler: (req: Request, res: Response, deps: GatewayRouteDeps) => Promise<void>): RequestHandler =>
  (req, res, _next: NextFunction) => {
    const deps = depsForRequest(shared, req);
    handler(req, res, deps).catch((err: unknown) => {
      deps.logger.error({ err }, 'hosted page: request failed');
      if (res.headersSent) return;
      sendFailure(res, { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Payments are temporarily unavailable; please try again.' });
    });
  };
