// The ACP Agentic Checkout routes at the gateway (issue 21, API.md "### ACP"):
//   POST /acp/:merchantId/checkout_sessions               create   → 201 CheckoutSession
//   POST /acp/:merchantId/checkout_sessions/:id           update   → 200
//   GET  /acp/:merchantId/checkout_sessions/:id           retrieve → 200 / 404
//   POST /acp/:merchantId/checkout_sessions/:id/complete  complete → 200 CheckoutSessionWithOrder
//   POST /acp/:merchantId/checkout_sessions/:id/cancel    cancel   → 200 / 405
// Each: an agent key (401 without a key, 403 with another kind), API-Version, the optional request
// signature, Request-Id echoed; every POST under ACP's Idempotency-Key rules (acp-idempotency.ts),
// echoed on the answer. Errors in ACP's flat shape (acp-http.ts). docs/acp.md for agent developers.
import express, { type Express, type Request, type Response } from 'express';
import type { GatewayRouteDeps } from '../route-deps.js';
import { requestIdOf } from '../http/request-id.js';
import { acpError, checkSignature, checkVersion, echoRequestId, send, type AcpAnswer } from './acp-http.js';
import { idempotent } from './acp-idempotency.js';
import { cancel, complete, create, retrieve, update, type AcpCall } from './acp-routes.js';

type RawRequest = Request & { rawBody?: Buffer };

const json = express.json({
  limit: '64kb',
  type: () => true,
  verify: (req, _res, buf) => {
    (req as RawRequest).rawBody = Buffer.from(buf);
  },
});

function parseBody(req: Request, res: Response, next: () => void): void {
  if (req.method === 'GET') return next();
  json(req, res, (err?: unknown) => {
    if (!err) return next();
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return send(res, acpError(413, 'request_too_large', 'The body must be at most 64kb.'));
    send(res, acpError(400, 'invalid_json', 'The body must be valid JSON.', '$'));
  });
}

type Handler = (call: AcpCall) => Promise<AcpAnswer>;

function route(deps: GatewayRouteDeps, name: string, handler: Handler) {
  return async (req: RawRequest, res: Response) => {
    try {
      echoRequestId(req, res);
      const key = req.method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
      if (key !== undefined && /^[\x21-\x7e]{1,255}$/.test(key)) res.setHeader('Idempotency-Key', key);
      let principal;
      try {
        const auth = await deps.authenticate(req.headers.authorization, requestIdOf(req));
        if (!auth.ok) {
          res.setHeader('www-authenticate', 'Bearer realm="handoff"');
          return send(res, acpError(401, 'unauthorized', 'Missing, unknown or revoked API key.'));
        }
        principal = auth.principal;
      } catch (err) {
        deps.logger.error({ err, requestId: requestIdOf(req) }, 'API key lookup failed');
        return send(res, { ...acpError(503, 'service_unavailable', 'Authentication is temporarily unavailable; retry shortly.'), headers: { 'Retry-After': '1' } });
      }
      if (principal.kind === 'ANONYMOUS') {
        res.setHeader('www-authenticate', 'Bearer realm="handoff"');
        return send(res, acpError(401, 'unauthorized', 'Missing, unknown or revoked API key.'));
      }
      if (principal.kind !== 'AGENT') return send(res, acpError(403, 'forbidden', 'The ACP routes take an agent API key (hk_agt_…).'));
      const problem = checkVersion(req) ?? checkSignature(req, req.rawBody);
      if (problem) return send(res, problem);
      const merchantId = String(req.params.merchantId ?? '');
      const call: AcpCall = {
        deps,
        principal,
        merchantId,
        id: String(req.params.id ?? ''),
        body: req.method === 'GET' ? undefined : req.body,
        idempotencyKey: key,
        requestId: requestIdOf(req),
        baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}/acp/${encodeURIComponent(merchantId)}`,
      };
      const answer =
        req.method === 'GET'
          ? await handler(call)
          : await idempotent(deps.redis(), { caller: `${principal.agentId}:${principal.keyId}`, path: req.path, key, body: req.body }, () => handler(call));
      send(res, answer);
    } catch (err) {
      deps.logger.error({ err, requestId: requestIdOf(req) }, `${name} failed`);
      if (!res.headersSent) send(res, acpError(500, 'processing_error', 'Unexpected error.'));
    }
  };
}

export function mountAcpRoutes(app: Express, deps: GatewayRouteDeps): void {
  const base = '/acp/:merchantId/checkout_sessions';
  app.post(base, parseBody, route(deps, 'ACP create', create));
  app.post(`${base}/:id`, parseBody, route(deps, 'ACP update', update));
  app.get(`${base}/:id`, route(deps, 'ACP retrieve', retrieve));
  app.post(`${base}/:id/complete`, parseBody, route(deps, 'ACP complete', complete));
  app.post(`${base}/:id/cancel`, parseBody, route(deps, 'ACP cancel', cancel));
}
