// The sandbox's HTTP face: /v1/* for merchants (their secret key), /v1/accounts and
// /v1/dashboard for its operator (the admin key), health for probes. Errors answer in Stripe's
// shape, `{ error: { type, code, message, param? } }`; anything unexpected is a 500 api_error
// with nothing of its cause.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '@handoff/shared';
import type { Accounts } from '../accounts/accounts.service.js';
import { SandboxError } from '../errors.js';
import { apiRoutes, type ApiDeps } from './api.routes.js';
import { accountRoutes, dashboardRoutes, type DashboardDeps } from './dashboard.routes.js';
import { badKey, bearerKey, noKey } from './request.js';
import { identityApiRoutes, identityPageRoutes, type IdentityDeps } from '../identity/identity.routes.js';

export interface SandboxServerDeps extends ApiDeps, DashboardDeps, IdentityDeps {
  accounts: Accounts;
  logger: Logger;
  ready(): Promise<void>;
}

export function sandboxServer(deps: SandboxServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/health/ready', (_req, res) => {
    deps.ready().then(
      () => res.json({ status: 'ok' }),
      () => res.status(503).json({ status: 'unavailable' }),
    );
  });
  app.use(express.json({ limit: '256kb' }));

  const merchant = (req: Request, res: Response, next: NextFunction) => {
    const key = bearerKey(req);
    if (!key) return next(noKey());
    deps.accounts.authenticate(key).then((account) => {
      if (!account) return next(badKey(key));
      res.locals.account = account;
      next();
    }, next);
  };
  const operator = (req: Request, _res: Response, next: NextFunction) => {
    const key = bearerKey(req);
    if (!key) return next(noKey());
    next(deps.accounts.isAdminKey(key) ? undefined : badKey(key));
  };

  app.use('/v1/accounts', operator, accountRoutes(deps));
  app.use('/v1/dashboard', operator, dashboardRoutes(deps));
  // The KYC provider's verification page (the person being verified carries no key).
  app.use(identityPageRoutes(deps));
  app.use('/v1', merchant, apiRoutes(deps), identityApiRoutes(deps));
  app.use((_req, res) => void res.status(404).json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'Unrecognized request URL.' } }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof SandboxError) {
      res.status(err.status).json({ error: { type: err.type, code: err.code, message: err.message, ...(err.param ? { param: err.param } : {}), ...err.extra } });
      return;
    }
    const status = (err as { status?: number; type?: string }).status;
    if (status === 400 || status === 413) {
      // express.json: malformed or oversized bodies.
      res.status(status).json({ error: { type: 'invalid_request_error', code: status === 413 ? 'body_too_large' : 'body_invalid', message: 'The request body is not valid JSON or is too large.' } });
      return;
    }
    deps.logger.error({ err }, 'sandbox request failed');
    res.status(500).json({ error: { type: 'api_error', message: 'An internal error occurred.' } });
  });
  return app;
}
