// The portal's account routes under /portal/api (docs/portal-auth.md): login, session, logout,
// the invitation link and its acceptance. JSON in and out; errors are `{ error, code }` with the
// code's REST status. The cookie is set and cleared here; sessions live in the merchant subgraph.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { REST_HTTP_STATUS } from '@handoff/shared/errors/http-status';
import type { ErrorCode } from '@handoff/shared/errors/codes';
import type { Logger } from '@handoff/shared/logging/logger';
import { requestIdOf } from '../http/request-id.js';
import { AccountsRefusal, type PortalSignIn } from './merchant-accounts.port.js';
import type { PortalAuth } from './portal-auth.js';
import { clearedSessionCookie, CSRF_HEADER, overTls, sessionCookie, sessionCookieOf, tokenHashOf } from './session-cookie.js';

export const PORTAL_API = '/portal/api';
const INVITATION_TOKEN = /^hpi_[A-Za-z0-9_-]{20,100}$/;

const fail = (res: Response, status: number, code: string, error: string) => res.status(status).json({ error, code });

function str(body: unknown, field: string, max: number): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[field];
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

/** The client: its address as TRUST_PROXY allows (the connection's when no proxy is trusted). */
const clientOf = (req: Request) => ({
  ip: req.ip ?? req.socket.remoteAddress ?? null,
  ua: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
});

export function mountPortalAuth(app: Express, deps: { portal: PortalAuth; logger: Logger }): void {
  const { portal, logger } = deps;
  const json = express.json({ limit: '16kb', type: ['application/json', 'application/*+json'] });
  const noStore = (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('cache-control', 'no-store');
    next();
  };

  /** An expected refusal in its REST status; anything else 503 (the merchant subgraph is unreachable). */
  const answerError = (req: Request, res: Response, err: unknown) => {
    if (err instanceof AccountsRefusal) {
      const status = REST_HTTP_STATUS[err.code as ErrorCode] ?? 400;
      // TOO_MANY_ATTEMPTS carries its wait as reason `retry_after:<seconds>`.
      const retry = /^retry_after:(\d{1,6})$/.exec(String(err.extensions.reason ?? ''))?.[1];
      if (status === 429) res.setHeader('retry-after', retry ?? '900');
      return fail(res, status, err.code, err.message);
    }
    logger.error({ err, requestId: requestIdOf(req) }, 'portal accounts call failed');
    res.setHeader('retry-after', '1');
    return fail(res, 503, 'SERVICE_UNAVAILABLE', 'Sign-in is temporarily unavailable; retry shortly.');
  };

  const signedIn = (req: Request, res: Response, s: PortalSignIn) => {
    res.setHeader('set-cookie', sessionCookie(s.token, overTls(req)));
    res.status(200).json(portal.view(s.user, s.sessionId));
  };

  app.post(`${PORTAL_API}/login`, noStore, json, async (req: Request, res: Response) => {
    const email = str(req.body, 'email', 320);
    const password = str(req.body, 'password', 1024);
    if (email === undefined || password === undefined) return fail(res, 400, 'BAD_USER_INPUT', 'email and password: strings are required.');
    const { ip, ua } = clientOf(req);
    try {
      signedIn(req, res, await portal.accounts.signIn(email, password, ip, ua, requestIdOf(req)));
    } catch (err) {
      answerError(req, res, err);
    }
  });

  app.get(`${PORTAL_API}/session`, noStore, async (req: Request, res: Response) => {
    try {
      const identity = await portal.session(req.headers, requestIdOf(req));
      if (!identity) return fail(res, 401, 'UNAUTHENTICATED', 'Not signed in.');
      res.status(200).json(portal.view(identity.user, identity.sessionId));
    } catch (err) {
      answerError(req, res, err);
    }
  });

  app.post(`${PORTAL_API}/logout`, noStore, async (req: Request, res: Response) => {
    try {
      const identity = await portal.session(req.headers, requestIdOf(req));
      if (!identity) {
        res.setHeader('set-cookie', clearedSessionCookie(overTls(req)));
        return fail(res, 401, 'UNAUTHENTICATED', 'Not signed in.');
      }
      if (!portal.csrf.verify(identity.sessionId, req.headers[CSRF_HEADER])) return fail(res, 403, 'CSRF_INVALID', 'Missing or invalid X-CSRF-Token.');
      await portal.accounts.signOut(tokenHashOf(sessionCookieOf(req.headers)!), requestIdOf(req));
      res.setHeader('set-cookie', clearedSessionCookie(overTls(req)));
      res.status(204).end();
    } catch (err) {
      answerError(req, res, err);
    }
  });

  app.get(`${PORTAL_API}/invitations/:token`, noStore, async (req: Request, res: Response) => {
    const token = String(req.params.token);
    if (!INVITATION_TOKEN.test(token)) return fail(res, 404, 'INVITATION_INVALID', 'This invitation link is not valid or was already used.');
    try {
      res.status(200).json(await portal.accounts.invitation(tokenHashOf(token), requestIdOf(req)));
    } catch (err) {
      answerError(req, res, err);
    }
  });

  app.post(`${PORTAL_API}/invitations/:token/accept`, noStore, json, async (req: Request, res: Response) => {
    const token = String(req.params.token);
    if (!INVITATION_TOKEN.test(token)) return fail(res, 404, 'INVITATION_INVALID', 'This invitation link is not valid or was already used.');
    const name = str(req.body, 'name', 1000);
    const password = str(req.body, 'password', 1024);
    if (name === undefined) return fail(res, 400, 'BAD_USER_INPUT', 'name: a string is required.');
    if (password === undefined) return fail(res, 400, 'WEAK_PASSWORD', 'password: a string of 10 to 200 characters is required.');
    const { ip, ua } = clientOf(req);
    try {
      signedIn(req, res, await portal.accounts.accept(tokenHashOf(token), name, password, ip, ua, requestIdOf(req)));
    } catch (err) {
      answerError(req, res, err);
    }
  });

  // Anything else under /portal/api, and bodies that are not JSON: this API's own error shape.
  app.use(PORTAL_API, (req: Request, res: Response) => fail(res, 404, 'NOT_FOUND', 'Not found.'));
  app.use(PORTAL_API, (err: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err?.type === 'entity.too.large') return fail(res, 413, 'BAD_REQUEST', 'Request body too large.');
    return fail(res, 400, 'BAD_USER_INPUT', 'Request body is not valid JSON.');
  });
}
