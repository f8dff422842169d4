// Starts the gateway's HTTP server. Closing drains: no new connections, idle keep-alive sockets
// closed at once, requests in flight given `graceMs` to finish before their sockets are cut.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '@handoff/shared/http/subgraph-server';
import { traceGatewayRequests } from '../tracing/request-spans.js';

/** Something else served on the same server (graphql-ws upgrades); closed first on close. */
export interface ServerAttachment {
  attach(server: Server): { close(): Promise<void> };
}

export async function listenGracefully(
  app: RequestListener,
  port: number,
  host: string,
  graceMs = 10_000,
  attachment?: ServerAttachment,
): Promise<RunningServer> {
  // Tracing on (started before listening): a span per request (gateway/src/tracing).
  const server: Server = createServer(traceGatewayRequests(app));
  const attached = attachment?.attach(server);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      (closing ??= (async () => {
        // Upgraded sockets are not HTTP connections: the server would wait for them forever.
        await attached?.close().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
          deadline.unref();
          server.close(() => {
            clearTimeout(deadline);
            resolve();
          });
          server.closeIdleConnections();
        });
      })()),
  };
}
