// Builds a subgraph's HTTP server: POST /graphql accepted only with a valid gateway signature,
// plus health and metrics. No side effects until `listen` is called.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { maskFormattedError } from '../errors/mask.js';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, verifyRequest } from '../identity/signing.js';
import type { Principal } from '../identity/principal.js';
import { actorOf } from '../identity/actor.js';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestContext, type Logger } from '../logging/logger.js';
import { tracedListener } from '../tracing/http-spans.js';
import { IDEMPOTENCY_KEY_HEADER, type SubgraphContext } from './context.js';
import { mountHealth, type ReadinessCheck, type ReadinessDetails } from './health.js';
import { createMetrics, type Metrics } from './metrics.js';
import { internalRoutesListener, type InternalRoute } from './internal-routes.js';

/** The most an /internal call's body may be. */
export const INTERNAL_BODY_LIMIT_BYTES = 1024 * 1024;

export interface SubgraphServerOptions<Ctx extends SubgraphContext> {
  name: string;
  schema: GraphQLSchema;
  internalSecret: string;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
  /** Reported by /health/ready without deciding readiness (the read replica's lag). */
  readinessDetails?: ReadinessDetails;
  /** Adds per-request things (dataloaders, …) to the base context. */
  extendContext?: (base: SubgraphContext) => Ctx | Promise<Ctx>;
  bodyLimit?: string;
  metrics?: Metrics;
  /** Signed non-GraphQL routes under /internal (e.g. webhook ingestion, which needs the raw body); internal-routes.ts. */
  internalRoutes?: InternalRoute[];
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SubgraphServer {
  app: Express;
  apollo: ApolloServer<SubgraphContext>;
  metrics: Metrics;
  listen(port: number, host?: string): Promise<RunningServer>;
}

export interface SignedRequest extends Request {
  principal?: Principal;
  requestId?: string;
  rawBody?: Buffer;
}

export async function createSubgraphServer<Ctx extends SubgraphContext>(
  opts: SubgraphServerOptions<Ctx>,
): Promise<SubgraphServer> {
  const { logger } = opts;
  const metrics = opts.metrics ?? createMetrics(opts.name);
  const apollo = new ApolloServer<SubgraphContext>({
    schema: opts.schema,
    introspection: true, // only reachable with a gateway signature anyway
    includeStacktraceInErrorResponses: false,
    // No cache hints are used (the gateway ignores subgraph cache headers): the cache-control
    // plugin's per-field hook only cost CPU on every resolved field.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
    csrfPrevention: false, // every request is HMAC-signed by the gateway
    // The process's own SIGINT/SIGTERM handler closes this server in order (main.ts, the
    // launcher). Apollo's would stop it first and then re-raise the signal, killing the process
    // (exit 130/143) in the middle of its drain, with calls still coming in from the gateway.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => maskFormattedError(formatted, error, logger),
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // callers are the gateway and other subgraphs, never a cache: no SHA-1 of every response body
  mountHealth(app, opts.readiness ?? {}, undefined, opts.readinessDetails);
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const rawBody = express.raw({ type: () => true, limit: opts.bodyLimit ?? '1mb' });
  const requireSignature = (req: SignedRequest, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyRequest({
      secret: opts.internalSecret,
      principalHeader: header(req, PRINCIPAL_HEADER),
      signatureHeader: header(req, SIGNATURE_HEADER),
      requestId,
      body,
    });
    if (!verified.ok) {
      logger.warn({ reason: verified.reason, requestId }, 'rejected unsigned or invalid subgraph call');
      res.status(401).json({ errors: [{ message: 'Unauthorized.', extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    req.rawBody = body;
    try {
      req.body = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).json({ errors: [{ message: 'Body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    req.principal = verified.principal;
    req.requestId = requestId;
    // The caller is the actor of whatever the request changes (timeline entries, audit rows).
    runWithRequestContext({ requestId, actor: actorOf(verified.principal) }, () => next());
  };

  app.post(
    '/graphql',
    rawBody,
    requireSignature,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const signed = req as SignedRequest;
        const base: SubgraphContext = {
          principal: signed.principal!,
          requestId: signed.requestId!,
          logger: logger.child({ requestId: signed.requestId }),
          idempotencyKey: header(req, IDEMPOTENCY_KEY_HEADER),
        };
        return opts.extendContext ? opts.extendContext(base) : base;
      },
    }),
  );

  // A body over the limit or any other middleware failure: a JSON error, never a stack.
  app.use((err: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'subgraph request failed');
    res.status(status).json({
      errors: [{ message: status === 413 ? 'Request body too large.' : status === 500 ? 'Unexpected error.' : 'Bad request.', extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  });

  const handler: RequestListener = opts.internalRoutes?.length
    ? internalRoutesListener({ routes: opts.internalRoutes, secret: opts.internalSecret, logger, limitBytes: INTERNAL_BODY_LIMIT_BYTES }, app)
    : app;

  return {
    app,
    apollo,
    metrics,
    listen: (port, host = '127.0.0.1') => listen(tracedListener(opts.name, handler), port, host, async () => apollo.stop()),
  };
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Starts an HTTP handler (an express app) on `port` (0 = any free port) and returns its URL and a closer. */
export async function listen(app: RequestListener, port: number, host: string, onClose?: () => Promise<void>): Promise<RunningServer> {
  const server: Server = createServer(app);
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await onClose?.();
    },
  };
}
