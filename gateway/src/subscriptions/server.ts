// graphql-ws on the gateway's own HTTP server and path (/graphql). @apollo/gateway cannot execute
// subscriptions, so the gateway serves them itself: each subscription listens to outbox events
// on Redis pub/sub (event-bus.ts) and resolves every event it may see through the gateway's own
// query planning (sources.ts), as the subscriber's principal. graphql-ws enforces the protocol's
// close codes (4400 invalid message, 4401 subscribe before ack, 4403 refused, 4408 no init in
// time, 4409 duplicate id, 4429 second init); this adds the limits: subscriptions per connection
// and per key (across replicas, key-slots.ts), slow consumers dropped (1013, "try again later"),
// idle connections pinged, and connections on a key that gets revoked closed (4403).
//
// Payment events carry the payment schema's outbox id as their cursor, for ordering only: a
// replica that loses Redis for a while does not see the events published meanwhile, and its
// payment subscribers are not told (a payment's current status is one query away; conversions,
// which a portal must not miss, are read back from the ledger: see event-bus.ts).
import type { PortalAuth } from '../portal-auth/portal-auth.js';
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
import { createRedis } from '@handoff/shared/queue/redis';
import { ErrorCode } from '@handoff/shared/errors/codes';
import { ConversionLedgerPort } from '../ports/conversion-ledger.port.js';
import { UNEXPECTED_MESSAGE } from '@handoff/shared/errors/mask';
import type { Logger } from '@handoff/shared/logging/logger';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayConfig } from '../config.js';
import type { Authentication } from '../auth/authenticator.js';
import type { GatewayRouteDeps } from '../route-deps.js';
import { identifyConnection, type ConnectionIdentity } from './connection-auth.js';
import { RedisEventBus, type Change, type ConversionFeed } from './event-bus.js';
import { KeySlots } from './key-slots.js';
import { clientAllowListRefusal } from '../auth/client-allow-list.js';
import { isErrors, planSubscription } from './operation.js';
import { billingSubscriptionSource, conversionSource, paymentIntentSource, type SourceDeps } from './sources.js';
import { SubscriptionStream, type StreamSource } from './stream.js';

/** Close code for a subscriber that cannot keep up (RFC 6455 "Try Again Later": clients reconnect and resume). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
/** Close code for a connection whose API key was revoked (as for refused credentials). */
export const REVOKED_CLOSE_CODE = 4403;
const REPLAY_PAGE_SIZE = 200;
/** How long a per-key slot outlives a replica that stopped renewing it (crashed). */
const KEY_SLOT_TTL_MS = 30_000;
/** How long a revocation is remembered, for connections whose key lookup was in flight. */
const REVOKED_MEMORY_MS = 60_000;

export interface SubscriptionServerDeps {
  config: GatewayConfig;
  logger: Logger;
  /** The gateway's API schema (once Apollo has loaded the supergraph). */
  schema(): GraphQLSchema | undefined;
  parseOptions: ParseOptions;
  /** TRUSTED_DOCUMENTS=require: whether a subscription's text is in the manifest (undefined: every text). */
  trusted?: (query: string) => boolean;
  validationRules: readonly ValidationRule[];
  execute: GatewayRouteDeps['execute'];
  /**
   * As `execute`, for the queries derived from a subscription already held to the client allow-list
   * (its visibility checks and per-event query); the default is `execute`.
   */
  executeDerived?: GatewayRouteDeps['execute'];
  authenticate(authorization: string): Promise<Authentication>;
  /** Portal session cookies on upgrades (docs/portal-auth.md). */
  portal?: PortalAuth;
  /** Forgets a key's cached principal (HTTP and WebSocket alike) as soon as it is revoked. */
  invalidateApiKey?(keyHash: string): void;
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
/** How often a portal session's socket asks whether its session is still live. */
const PORTAL_RECHECK_MS = 15_000;

type OperationContext = { stream: SubscriptionStream<Change> } | { query: string; variables?: Record<string, unknown>; principal: Principal };

const clientError = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extensions } });

export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { config, logger } = deps;
  const limits = config.subscriptions;
  const log = logger.child({ component: 'subscriptions' });
  const ledger = new ConversionLedgerPort({ url: config.subgraphUrls['conversion-ledger'], secret: config.internalSecret, timeoutMs: config.subgraphTimeoutMs });
  const conversions: ConversionFeed = {
    head: () => ledger.head(),
    after: async (after) => {
      const events = await ledger.feedAfter(after, REPLAY_PAGE_SIZE);
      return { events, more: events.length === REPLAY_PAGE_SIZE };
    },
  };
  const bus = new RedisEventBus({ redisUrl: config.env.REDIS_URL, queuePrefix: config.env.QUEUE_PREFIX, logger, conversions });
  const sourceDeps: SourceDeps = { execute: deps.executeDerived ?? deps.execute, ledger, replayPageSize: REPLAY_PAGE_SIZE };
  const slotsRedis = createRedis(config.env.REDIS_URL);
  slotsRedis.on('error', (err) => log.warn({ err }, 'subscription slots: Redis error'));
  const keySlots = new KeySlots({ redis: slotsRedis, queuePrefix: config.env.QUEUE_PREFIX, max: limits.maxPerKey, ttlMs: KEY_SLOT_TTL_MS, logger: log });
  const validationRules = [...specifiedRules, ...deps.validationRules];

  const connections = new WeakMap<Extra['socket'], ConnectionState>();
  /** Open connections by API key hash, and keys revoked lately (a lookup may have been in flight). */
  const byKeyHash = new Map<string, Set<Extra['socket']>>();
  const revokedAt = new Map<string, number>();
  bus.onRevoked(({ keyHash }) => {
    deps.invalidateApiKey?.(keyHash);
    const now = Date.now();
    for (const [hash, at] of revokedAt) if (now - at > REVOKED_MEMORY_MS) revokedAt.delete(hash);
    revokedAt.set(keyHash, now);
    const sockets = byKeyHash.get(keyHash);
    if (!sockets) return;
    log.info({ sockets: sockets.size }, 'closing connections of a revoked API key');
    for (const socket of sockets) socket.close(REVOKED_CLOSE_CODE, 'Forbidden: API key revoked');
  });
  const wasRevoked = (keyHash: string | undefined) => keyHash !== undefined && Date.now() - (revokedAt.get(keyHash) ?? -Infinity) <= REVOKED_MEMORY_MS;

  /** Takes one place for the connection and its key (on every replica), or the errors when full. */
  async function reserve(state: ConnectionState): Promise<(() => void) | readonly GraphQLError[]> {
    if (state.active >= limits.maxPerConnection) {
      return [clientError(ErrorCode.FORBIDDEN, `At most ${limits.maxPerConnection} subscriptions per connection.`, { reason: 'subscription_limit:connection' })];
    }
    state.active++; // now, before awaiting: messages are handled concurrently
    let releaseKey: (() => void) | null;
    try {
      releaseKey = await keySlots.take(state.identity.limitKey);
    } catch (err) {
      state.active--;
      log.warn({ err }, 'could not count subscriptions per key');
      return [clientError(ErrorCode.SERVICE_UNAVAILABLE, 'Subscriptions are temporarily unavailable; retry shortly.')];
    }
    if (!releaseKey) {
      state.active--;
      return [clientError(ErrorCode.FORBIDDEN, `At most ${limits.maxPerKey} subscriptions per key.`, { reason: 'subscription_limit:key' })];
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.active--;
      releaseKey();
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
    const release = await reserve(state);
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
          : plan.field === 'billingSubscriptionUpdated'
            ? ((await billingSubscriptionSource(plan, principal, sourceDeps)) as StreamSource<Change>)
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
      const family = plan.field === 'paymentIntentUpdated' ? 'payment_intent' : plan.field === 'billingSubscriptionUpdated' ? 'billing_subscription' : 'conversion';
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
        portal: deps.portal,
      }, ctx.extra.request);
      if (!identity || wasRevoked(identity.keyHash)) return false;
      const socket = ctx.extra.socket;
      connections.set(socket, { identity, active: 0 });
      // A portal session's socket ends with its session (logout, revoke, expiry, a removed user), within PORTAL_RECHECK_MS.
      const { stillLive } = identity;
      if (stillLive) {
        const timer = setInterval(() => {
          stillLive().then(
            (live) => {
              if (!live) socket.close(4403, 'Forbidden');
            },
            (err: unknown) => log.warn({ err }, 'portal session recheck failed; the socket stays open until the next one'),
          );
        }, PORTAL_RECHECK_MS);
        timer.unref();
        socket.once('close', () => clearInterval(timer));
      }
      const { keyHash } = identity;
      if (keyHash) {
        const sockets = byKeyHash.get(keyHash) ?? new Set<Extra['socket']>();
        byKeyHash.set(keyHash, sockets);
        sockets.add(socket);
        socket.once('close', () => {
          sockets.delete(socket);
          if (sockets.size === 0 && byKeyHash.get(keyHash) === sockets) byKeyHash.delete(keyHash);
        });
      }
      return true;
    },
    onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
      const schema = deps.schema();
      if (!schema) return [clientError(ErrorCode.SERVICE_UNAVAILABLE, 'The gateway is starting; retry shortly.')];
      if (deps.trusted && !deps.trusted(payload.query)) {
        return [clientError(ErrorCode.OPERATION_NOT_TRUSTED, 'This gateway runs only the operations of its trusted-documents manifest; this one is not in it.')];
      }
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
      // A client secret reaches only what the hosted page shows, over WebSocket as over HTTP.
      const refusal = clientAllowListRefusal(principal, schema, document);
      if (refusal) return [refusal];
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
      bus.start(); // revocations are heard from now on, not from the first subscription
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
      await keySlots.close();
      slotsRedis.disconnect();
    },
  };
}

