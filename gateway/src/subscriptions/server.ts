// graphql-ws on the gateway's own HTTP server and path (/graphql). @apollo/gateway cannot execute
// subscriptions, so the gateway serves them itself: each subscription listens to outbox events
// on Redis pub/sub (event-bus.ts) and resolves every event it may see through the gateway's own
// query planning (sources.ts), as the subscriber's principal. graphql-ws enforces the protocol's
// close codes (4400 invalid message, 4401 subscribe before ack, 4403 refused, 4408 no init in
// time, 4409 duplicate id, 4429 second init); this adds the limits: subscriptions per connection
// and per key, slow consumers dropped (1013, "try again later"), idle connections pinged.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, InternalClient, UNEXPECTED_MESSAGE, type Logger, type Principal } from '@handoff/shared';
import type { GatewayConfig } from '../config.js';
import type { Authentication } from '../auth/authenticator.js';
import type { GatewayRouteDeps } from '../routes.js';
import { identifyConnection, type ConnectionIdentity } from './connection-auth.js';
import { RedisEventBus, type Change } from './event-bus.js';
import { isErrors, planSubscription } from './operation.js';
import { conversionSource, paymentIntentSource, type SourceDeps } from './sources.js';
import { SubscriptionStream, type StreamSource } from './stream.js';

/** Close code for a subscriber that cannot keep up (RFC 6455 "Try Again Later": clients reconnect and resume). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
const REPLAY_PAGE_SIZE = 200;

export interface SubscriptionServerDeps {
  config: GatewayConfig;
  logger: Logger;
  /** The gateway's API schema (once Apollo has loaded the supergraph). */
  schema(): GraphQLSchema | undefined;
  parseOptions: ParseOptions;
  validationRules: readonly ValidationRule[];
  execute: GatewayRouteDeps['execute'];
  authenticate(authorization: string): Promise<Authentication>;
}

export interface SubscriptionServer {
  /** Serves graphql-ws on `server`'s upgrades to /graphql; the returned close drops its sockets (1001). */
  attach(server: Server): { close(): Promise<void> };
  close(): Promise<void>;
}

interface ConnectionState {
  identity: ConnectionIdentity;
  /** Open subscriptions on this connection. */
  active: number;
}
type Options = ServerOptions<Record<string, unknown>, Extra>;

type OperationContext = { stream: SubscriptionStream<Change> } | { query: string; variables?: Record<string, unknown>; principal: Principal };

const clientError = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extensions } });

export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { config, logger } = deps;
  const limits = config.subscriptions;
  const log = logger.child({ component: 'subscriptions' });
  const bus = new RedisEventBus({ redisUrl: config.env.REDIS_URL, queuePrefix: config.env.QUEUE_PREFIX, logger });
  const sourceDeps: SourceDeps = {
    execute: deps.execute,
    ledger: new InternalClient({ url: config.subgraphUrls['conversion-ledger'], secret: config.internalSecret, service: 'gateway', timeoutMs: config.subgraphTimeoutMs }),
    replayPageSize: REPLAY_PAGE_SIZE,
  };
  const perKey = new Map<string, number>();
  const validationRules = [...specifiedRules, ...deps.validationRules];

  const connections = new WeakMap<Extra['socket'], ConnectionState>();

  /** Takes one place for the connection and its key now (messages are handled concurrently), or the errors when full. */
  function reserve(state: ConnectionState): (() => void) | readonly GraphQLError[] {
    const { limitKey } = state.identity;
    if (state.active >= limits.maxPerConnection) {
      return [clientError(ErrorCode.FORBIDDEN, `At most ${limits.maxPerConnection} subscriptions per connection.`, { reason: 'subscription_limit:connection' })];
    }
    if ((perKey.get(limitKey) ?? 0) >= limits.maxPerKey) {
      return [clientError(ErrorCode.FORBIDDEN, `At most ${limits.maxPerKey} subscriptions per key.`, { reason: 'subscription_limit:key' })];
    }
    state.active++;
    perKey.set(limitKey, (perKey.get(limitKey) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.active--;
      const left = (perKey.get(limitKey) ?? 1) - 1;
      if (left > 0) perKey.set(limitKey, left);
      else perKey.delete(limitKey);
    };
  }

  async function openStream(
    socket: Extra['socket'],
    state: ConnectionState,
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown> | undefined,
    schema: GraphQLSchema,
  ): Promise<SubscriptionStream<Change> | readonly GraphQLError[]> {
    const release = reserve(state);
    if (isErrors(release)) return release;
    let stream: SubscriptionStream<Change> | undefined;
    try {
      const plan = planSubscription(schema, document, operationName, variables);
      if (isErrors(plan)) {
        release();
        return plan;
      }
      const { principal, limitKey } = state.identity;
      const source: StreamSource<Change> =
        plan.field === 'paymentIntentUpdated'
          ? ((await paymentIntentSource(plan, principal, sourceDeps)) as StreamSource<Change>)
          : (conversionSource(plan, principal, sourceDeps) as StreamSource<Change>);
      const dropSlow = () => {
        log.warn({ limitKey }, 'dropping a slow subscriber');
        socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: reconnect and resume');
      };
      const opened = new SubscriptionStream<Change>(
        source,
        { maxQueued: limits.maxQueuedEvents, statusKeys: plan.statusKeys, responseKey: plan.responseKey },
        { onSlow: dropSlow, onEnd: release },
      );
      stream = opened;
      // Listening before the first next() (and so before any replay): nothing falls in between.
      const family = plan.field === 'paymentIntentUpdated' ? 'payment_intent' : 'conversion';
      const unlisten = await bus.listen(family, (change: Change) => {
        if (socket.bufferedAmount > limits.maxBufferedBytes) opened.dropSlow();
        else opened.offer(change);
      });
      opened.attach(unlisten);
      return opened;
    } catch (err) {
      if (stream) await stream.return();
      else release();
      throw err;
    }
  }

  const options: Options = {
    connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
    onConnect: async (ctx) => {
      const identity = await identifyConnection(ctx.connectionParams, {
        internalSecret: config.internalSecret,
        authenticate: deps.authenticate,
      });
      if (!identity) return false;
      connections.set(ctx.extra.socket, { identity, active: 0 });
      return true;
    },
    onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
      const schema = deps.schema();
      if (!schema) return [clientError(ErrorCode.SERVICE_UNAVAILABLE, 'The gateway is starting; retry shortly.')];
      let document: DocumentNode;
      try {
        document = parse(payload.query, deps.parseOptions);
      } catch (err) {
        return [clientError(ErrorCode.GRAPHQL_PARSE_FAILED, err instanceof Error ? err.message : 'Syntax error.')];
      }
      const invalid = validate(schema, document, validationRules);
      if (invalid.length) {
        return invalid.map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } })));
      }
      const operationName = payload.operationName ?? undefined;
      const variables = payload.variables ?? undefined;
      const operation = getOperationAST(document, operationName);
      const state = connections.get(ctx.extra.socket)!; // acknowledged: onConnect set it
      const principal = state.identity.principal;
      let contextValue: OperationContext;
      if (operation?.operation === 'subscription') {
        try {
          const opened = await openStream(ctx.extra.socket, state, document, operationName, variables, schema);
          if (isErrors(opened)) return opened;
          contextValue = { stream: opened };
        } catch (err) {
          if (err instanceof GraphQLError && err.extensions.code) return [err];
          log.error({ err }, 'could not open a subscription');
          return [clientError(ErrorCode.INTERNAL_SERVER_ERROR, UNEXPECTED_MESSAGE)];
        }
      } else {
        // Queries and mutations over the socket run as they would over HTTP.
        contextValue = { query: payload.query, variables, principal };
      }
      return { schema, document, operationName, variableValues: variables, contextValue };
    },
    subscribe: (args) => (args.contextValue as { stream: SubscriptionStream<Change> }).stream,
    execute: async (args): Promise<ExecutionResult> => {
      const op = args.contextValue as { query: string; variables?: Record<string, unknown>; principal: Principal };
      const result = await deps.execute({ query: op.query, variables: op.variables, principal: op.principal });
      const errors = result.errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
      return { data: (result.data ?? null) as Record<string, unknown> | null, ...(errors?.length ? { errors } : {}) };
    },
    onError: (_ctx, _id, _payload, errors) => {
      // Errors thrown mid-stream (e.g. a failed replay page): keep the code, never internals.
      return errors.map((e) => {
        const json = e.toJSON();
        const code = json.extensions?.code;
        return code && code !== ErrorCode.INTERNAL_SERVER_ERROR ? json : { message: UNEXPECTED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
      });
    },
  };

  const attached = new Set<{ close(): Promise<void> }>();
  return {
    attach(server) {
      const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes });
      const disposable = useServer({ ...options, isProd: config.production }, wss, limits.keepAliveMs);
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (new URL(req.url ?? '/', 'http://gateway').pathname !== '/graphql') {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      };
      server.on('upgrade', onUpgrade);
      const handle = {
        close: async () => {
          server.off('upgrade', onUpgrade);
          attached.delete(handle);
          await disposable.dispose();
        },
      };
      attached.add(handle);
      return handle;
    },
    async close() {
      await Promise.allSettled([...attached].map((a) => a.close()));
      await bus.close();
    },
  };
}

