// The sandbox KYC provider's HTTP face. For merchants (their secret key, under /v1):
//   POST /v1/identity/verification_sessions   { reference, callback_url, callback_secret } → the session with its `url`
//   GET  /v1/identity/verification_sessions/:id
// For the person being verified (no key; the page a merchant sends them to):
//   GET  /identity/verify/:id                 what the page shows
//   POST /identity/verify/:id                 { outcome: "verified" | "failed" } → completes it and sends the signed callback
import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { AccountEntity } from '../accounts/account.entity.js';
import { invalidParameter } from '../errors.js';
import { body, str } from '../http/request.js';
import { noSuchVerification, verificationObject, type IdentityVerifications } from './identity.service.js';

export interface IdentityDeps {
  dataSource: DataSource;
  identity: IdentityVerifications;
}

const route = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: (err?: unknown) => void) =>
  void fn(req, res).then((out) => res.json(out), next);

/** The verification page's URL, on the host the caller reached the sandbox by. */
const pageUrl = (req: Request, id: string) => `${req.protocol}://${req.get('host') ?? '127.0.0.1'}/identity/verify/${id}`;

export function identityApiRoutes(deps: IdentityDeps): Router {
  const r = Router();
  const merchantOf = (res: Response) => (res.locals.account as AccountEntity).merchantId;
  r.post(
    '/identity/verification_sessions',
    route(async (req, res) => {
      const b = body(req);
      const spec = { reference: str(b, 'reference', true, 120), callbackUrl: str(b, 'callback_url', true, 2048), callbackSecret: str(b, 'callback_secret', true, 512) };
      const v = await deps.dataSource.transaction((m) => deps.identity.create(m, merchantOf(res), spec));
      return verificationObject(v, pageUrl(req, v.id));
    }),
  );
  r.get(
    '/identity/verification_sessions/:id',
    route(async (req, res) => {
      const v = await deps.identity.find(deps.dataSource.manager, String(req.params.id), merchantOf(res));
      if (!v) throw noSuchVerification(String(req.params.id));
      return verificationObject(v, pageUrl(req, v.id));
    }),
  );
  return r;
}

export function identityPageRoutes(deps: IdentityDeps): Router {
  const r = Router();
  r.get(
    '/identity/verify/:id',
    route(async (req) => {
      const v = await deps.identity.find(deps.dataSource.manager, String(req.params.id));
      if (!v) throw noSuchVerification(String(req.params.id));
      return { ...verificationObject(v), outcomes: ['verified', 'failed'] };
    }),
  );
  r.post(
    '/identity/verify/:id',
    route(async (req) => {
      const outcome = str(body(req), 'outcome', true, 20);
      if (outcome !== 'verified' && outcome !== 'failed') throw invalidParameter('outcome', 'must be verified or failed.');
      const v = await deps.dataSource.transaction((m) => deps.identity.complete(m, String(req.params.id), outcome));
      return { ...verificationObject(v), callback: await deps.identity.sendCallback(v) };
    }),
  );
  return r;
}
