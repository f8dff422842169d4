// GET /metrics in Prometheus text. In production it is served on a listener of its own
// (METRICS_PORT, METRICS_HOST: 9464 on 127.0.0.1 by default), never on the public port, the way
// Prometheus scrapes an internal port that no ingress publishes; METRICS_TOKEN adds a bearer
// token (Prometheus's `authorization: { credentials: … }`) wherever it is served.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { RunningServer } from '@handoff/shared/http/subgraph-server';
import type { MetricsEndpoint } from '../config.js';
import { listenGracefully } from './listen.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `authorization` carries `Bearer <token>` (or no token is configured). */
export function metricsAuthorized(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** Answers GET /metrics (the token checked); `res` is left alone for any other path. */
export async function serveMetrics(
  registry: Registry,
  token: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!metricsAuthorized(token, req.headers.authorization)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' });
    res.end('Unauthorized.\n');
    return;
  }
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(body);
}

/** The metrics listener: GET /metrics, 404 for anything else. */
export function metricsListener(registry: Registry, token: string | undefined): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found.\n');
      return;
    }
    serveMetrics(registry, token, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/** Starts the separate metrics listener when `endpoint.port` is set; undefined otherwise. */
export async function listenMetrics(registry: Registry, endpoint: MetricsEndpoint): Promise<RunningServer | undefined> {
  if (endpoint.port === undefined) return undefined;
  return listenGracefully(metricsListener(registry, endpoint.token), endpoint.port, endpoint.host, 1_000);
}
