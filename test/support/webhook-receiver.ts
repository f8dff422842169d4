// A merchant's webhook receiver for tests: a node http server on 127.0.0.1 that keeps every
// request (path, headers, raw body) and answers what the test's handler says (200 by default).
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface ReceiverAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export type ReceiverHandler = (request: ReceivedWebhook, nth: number) => ReceiverAnswer | Promise<ReceiverAnswer>;

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  origin: string;
  received: ReceivedWebhook[];
  /** The requests on one path, in arrival order. */
  on(path: string): ReceivedWebhook[];
  /** How a path answers (`nth` counts that path's requests from 1). */
  route(path: string, handler: ReceiverHandler): void;
  close(): Promise<void>;
}

const okHandler: ReceiverHandler = () => ({ status: 200, body: '{"ok":true}' });

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const routes = new Map<string, ReceiverHandler>();
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const request: ReceivedWebhook = { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(request);
      const nth = (counts.get(path) ?? 0) + 1;
      counts.set(path, nth);
      Promise.resolve((routes.get(path) ?? okHandler)(request, nth))
        .then((answer: ReceiverAnswer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body ?? '');
        })
        .catch(() => {
          res.writeHead(599);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The docs' check of a delivery's Handoff-Signature header (docs/api.md, "Verifying the
 * signature"): a `v1` HMAC-SHA256 of `<t>.<raw body>` with `secret`, and `t` within 5 minutes.
 */
export function signedBy(rawBody: string, header: string, secret: string): boolean {
  const parts = header.split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const ok = parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v!) && timingSafeEqual(Buffer.from(v!, 'hex'), expected));
  return ok && Math.abs(Date.now() / 1000 - t) <= 300;
}
