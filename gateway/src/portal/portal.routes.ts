// The merchant portal (portal/, issue 23) at /portal: a single-page app served as static files.
//   GET /portal/assets/<name>-<hash>.<ext>   a built asset: cached for a year, immutable (its name changes with its content)
//   GET /portal, /portal/<any client route>  index.html, never cached (it names the current assets)
//   /portal/api/*                            not here: the accounts routes (gateway/src/portal-auth)
// Every answer carries the hosted page's security headers (hosted-page/security-headers.ts) with
// the portal's own Content-Security-Policy: scripts, styles and data from this origin only, no
// inline script or style, WebSockets to this host (graphql-ws), never framed.
import type { Request, Response } from 'express';
import type { RouteMount } from '../route-deps.js';
import { setSecurityHeaders } from '../hosted-page/security-headers.js';
import { loadPortalFiles, type PortalFile, type PortalFiles } from './portal-files.js';

export const PORTAL_PATH = '/portal';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';

/** A Host header fit to name in the CSP (host, optional port); anything else: no WebSocket source. */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function portalContentSecurityPolicy(host: string | undefined): string {
  const ws = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(req: Request, res: Response, file: PortalFile, cacheControl: string): void {
  setSecurityHeaders(res);
  res.setHeader('content-security-policy', portalContentSecurityPolicy(req.headers.host));
  res.setHeader('cache-control', cacheControl);
  res.setHeader('content-type', file.contentType);
  res.setHeader('vary', 'accept-encoding');
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzip! : file.body;
  if (gzip) res.setHeader('content-encoding', 'gzip');
  res.setHeader('content-length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

function notBuilt(res: Response): void {
  setSecurityHeaders(res);
  res.status(503).type('text/plain').send('The merchant portal is not built: run `npm run build` (it builds portal/dist).\n');
}

export function portalHandler(files: PortalFiles | undefined) {
  return (req: Request, res: Response, next: () => void): void => {
    // Mounted at /portal: req.path is what follows it ("/", "/live", "/assets/x.js", "/api/login").
    const path = req.path;
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (path === '/api' || path.startsWith('/api/')) return next();
    if (!files) return notBuilt(res);
    if (path.startsWith('/assets/')) {
      const asset = files.assets.get(path.slice(1));
      if (!asset) {
        setSecurityHeaders(res);
        res.status(404).type('text/plain').send('Not found.\n');
        return;
      }
      return send(req, res, asset, IMMUTABLE);
    }
    send(req, res, files.index, NO_CACHE);
  };
}

export const mountPortal: RouteMount = (app, deps) => {
  const files = loadPortalFiles();
  if (!files) deps.logger.warn('merchant portal: portal/dist not found (run `npm run build`); /portal answers 503');
  app.use(PORTAL_PATH, portalHandler(files));
};
