// What every REST edge of the gateway does around its operation: authenticate the caller as
// /graphql does, read the Idempotency-Key header and the JSON body, answer failures as
// `{ "error": <message>, "code": <CODE>, "field"?, "reason"? }` with the HTTP status of the code
// (restHttpStatus), and never let an unexpected failure out as anything but a 500 in that shape.
import type { Request, RequestHandler, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@handoff/shared/identity/principal';
import { restHttpStatus } from '@handoff/shared/errors/http-status';
import type { GatewayRouteDeps } from '../route-deps.js';
import { requestIdOf } from '../http/request-id.js';
import { inputProblemBody, restInputError, type RestInputProblem } from './rest-input.js';

export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: message, code, ...extra });
}

export interface GraphQLErrorAnswer {
  /** The route's own wording per code (seed 000's failure table). */
  messages?: Record<string, string>;
  /** A GraphQL input path (`lineItems[0].unitAmount.amountMinor`) in the route's names. */
  rename?: (graphqlField: string) => string;
  /** Carry the error's `extensions.reason` (`promotion:expired`) as `reason`. */
  withReason?: boolean;
}

/** The graph's error in the route's shape: its code's status; BAD_USER_INPUT in the route's names and words. */
export function sendGraphQLError(res: Response, error: GraphQLFormattedError | undefined, opts: GraphQLErrorAnswer = {}): void {
  const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  const status = restHttpStatus(code);
  const reason = opts.withReason && typeof error?.extensions?.reason === 'string' ? { reason: error.extensions.reason } : {};
  if (code === 'BAD_USER_INPUT' && error) {
    // In the route's own names and words (never the adapter's GraphQL), naming the field.
    const { field, message } = restInputError(error, opts.rename ?? ((f) => f));
    return void res.status(status).json({ error: message, code, ...(field ? { field } : {}), ...reason });
  }
  sendError(res, status, code, opts.messages?.[code] ?? error?.message ?? 'Unexpected error.', reason);
}

export function sendInputProblem(res: Response, p: RestInputProblem): void {
  res.status(400).json(inputProblemBody(p));
}

/** The caller's principal, or an answer already sent (401, or 503 when auth is down). */
export async function authenticate(deps: GatewayRouteDeps, req: Request, res: Response): Promise<Principal | undefined> {
  try {
    const auth = await deps.authenticate(req.headers.authorization, requestIdOf(req));
    if (auth.ok) return auth.principal;
  } catch (err) {
    deps.logger.error({ err, requestId: requestIdOf(req) }, 'API key lookup failed');
    res.setHeader('retry-after', '1');
    sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Authentication is temporarily unavailable; retry shortly.');
    return undefined;
  }
  res.setHeader('www-authenticate', 'Bearer realm="handoff"');
  sendError(res, 401, 'UNAUTHENTICATED', 'Missing, unknown or revoked API key.');
  return undefined;
}

export function idempotencyKeyOf(req: Request): string | undefined {
  const v = req.headers['idempotency-key'];
  return (Array.isArray(v) ? v[0] : v) ?? undefined;
}

export function bodyObject(req: Request): Record<string, unknown> | undefined {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** Runs a handler; anything unexpected is logged and answered 500 in this edge's shape, never a stack. */
export function guarded(deps: GatewayRouteDeps, route: string, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      deps.logger.error({ err, requestId: requestIdOf(req) }, `${route} failed`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    }
  };
}
