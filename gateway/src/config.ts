// The gateway's configuration: the only file in this package that reads the environment.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, internalSecretFor, parseEnv, type NodeEnv } from '@handoff/shared/config/config';
import { createLogger, type Logger } from '@handoff/shared/logging/logger';
import { parseTrustedManifest, TrustedManifestError, type TrustedDocumentsMode, type TrustedManifest } from './graphql/persisted-documents.js';
import { isSubgraphName, SUBGRAPH_NAMES, type SubgraphName } from './subgraph/subgraph-names.js';

/** The committed supergraph, written by `npm run compose` (launcher/src/compose.ts). */
export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const schema = baseConfigSchema.extend({
  PORT: port.default(4000),
  /** Bootstrap admin key; compared in constant time. Required in production. */
  HANDOFF_ADMIN_KEY: z.string().min(16, 'HANDOFF_ADMIN_KEY must be at least 16 characters').optional(),
  /** Origins besides the gateway's own whose pages may open a cookie-authenticated WebSocket (comma-separated; docs/portal-auth.md). */
  PORTAL_ORIGINS: z.string().optional(),
  /**
   * Which proxies in front of the gateway are trusted to say the client's address in
   * X-Forwarded-For (Express's "trust proxy"): a hop count (1: the nearest proxy), or a
   * comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
   * Unset: nobody; the client's address is the connection's. The portal's sign-in throttle keys on
   * that address and portal sessions record it.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((v) => trustProxyOf(v) !== undefined, 'must be a hop count (0-10) or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal, uniquelocal')
    .optional(),
  MERCHANT_URL: httpUrl.default('http://127.0.0.1:4001/graphql'),
  CHECKOUT_SESSION_URL: httpUrl.default('http://127.0.0.1:4002/graphql'),
  PAYMENT_INTENT_URL: httpUrl.default('http://127.0.0.1:4003/graphql'),
  CONVERSION_LEDGER_URL: httpUrl.default('http://127.0.0.1:4004/graphql'),
  SUPERGRAPH_PATH: z.string().optional(),
  MAX_DEPTH: positiveInt.default(12),
  MAX_ALIASES: positiveInt.default(15),
  MAX_TOKENS: positiveInt.default(2000),
  MAX_DIRECTIVES: positiveInt.default(10),
  // graphql-armor weighs list sizes (`first`): a 100-row BI page of conversions costs ~32k, a
  // merchants(100) × offers(100) fan-out ~550k.
  MAX_COST: positiveInt.default(50_000),
  /** Largest request body accepted, in bytes (413 above it). */
  MAX_BODY_BYTES: positiveInt.default(256 * 1024),
  /** Per subgraph call, connect to last byte. */
  SUBGRAPH_TIMEOUT_MS: positiveInt.default(10_000),
  /** The subgraph call of `runSettlement`: one transaction over every conversion due. */
  SETTLEMENT_TIMEOUT_MS: positiveInt.default(300_000),
  /** How long a resolved (or rejected) API key is remembered: a revoked key is refused within this time. */
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  SUBGRAPH_MAX_SOCKETS: positiveInt.default(128),
  /**
   * Who runs federated queries and mutations: `handoff` (gateway/src/execution: operations
   * prepared once, the /graphql fast path skipping Apollo Server for them) or `apollo`
   * (@apollo/gateway's executor for everything: the fallback if Handoff's misbehaves).
   */
  GATEWAY_EXECUTOR: z.enum(['handoff', 'apollo']).default('handoff'),
  /**
   * Persisted documents (docs/persisted-documents.md). APQ_CACHE_ENTRIES: automatic persisted
   * query texts each replica remembers (0 = APQ off). TRUSTED_DOCUMENTS_PATH: a manifest of
   * operations (GraphQL Codegen's persisted-documents.json or Apollo's persisted query manifest);
   * TRUSTED_DOCUMENTS: `allow` (its hashes are known; the default with a path), `require` (only
   * its operations run: OPERATION_NOT_TRUSTED otherwise) or `off`.
   */
  APQ_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100_000).default(1_000),
  TRUSTED_DOCUMENTS_PATH: z.string().min(1).optional(),
  TRUSTED_DOCUMENTS: z.enum(['off', 'allow', 'require']).optional(),
  /** graphql-ws (gateway/src/subscriptions): limits per connection, per key, per subscriber. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt.default(25),
  /** Per API key (or client secret), across every gateway replica (counted in Redis). */
  WS_MAX_SUBSCRIPTIONS_PER_KEY: positiveInt.default(200),
  /** A connection with more unsent bytes than this is dropped as a slow consumer (close 1013). */
  WS_MAX_BUFFERED_BYTES: positiveInt.default(1024 * 1024),
  /** Events waiting for one subscription before it counts as a slow consumer (close 1013). */
  WS_MAX_QUEUED_EVENTS: positiveInt.default(1000),
  /** Ping interval; a connection that does not answer within the same time is terminated. */
  WS_KEEPALIVE_MS: positiveInt.default(12_000),
  /** Time allowed between the upgrade and connection_init (else close 4408). */
  WS_CONNECTION_INIT_TIMEOUT_MS: positiveInt.default(3_000),
  /**
   * Where Prometheus scrapes /metrics: a listener of its own, never the public port, in
   * production (default 9464 on 127.0.0.1); elsewhere the public port unless this is set.
   */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /metrics also wants `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  /**
   * Whose worker heartbeats readiness requires: `all` (the four packages), `none` (a deployment
   * that runs no workers, e.g. a gateway in front of subgraphs only), or a comma-separated list.
   */
  READINESS_WORKERS: z
    .string()
    .default('all')
    .transform((v, ctx) => {
      const value = v.trim();
      if (value === 'all') return [...SUBGRAPH_NAMES];
      if (value === 'none') return [];
      const names = value.split(',').map((n) => n.trim());
      const unknown = names.filter((n) => !isSubgraphName(n));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `READINESS_WORKERS: all, none or package names (${SUBGRAPH_NAMES.join(', ')}); not ${unknown.join(', ')}` });
      return [...new Set(names.filter(isSubgraphName))];
    }),
  /** A package's worker is missing when none of its processes beat for this long. */
  WORKER_HEARTBEAT_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Operators' health: a queue is `degraded` from this many waiting jobs (waiting + prioritized). */
  OPS_QUEUE_WAITING_DEGRADED: positiveInt.default(1_000),
  /** Operators' health: a queue is `degraded` from this many failed jobs. */
  OPS_QUEUE_FAILED_DEGRADED: positiveInt.default(1),
  /** GET /v1/checkout/threads: jobs active at least this long (seconds) unless `older_than_seconds` says otherwise. */
  OPS_LONG_RUNNING_JOB_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /**
   * Stripe.js, which the hosted page loads for a merchant paid through Stripe (its Payment Element
   * collects the card, so card data never reaches Handoff). Stripe's own by default; a test points
   * it at a local stand-in. Its origin is added to that page's CSP (script, frame and connect).
   */
  STRIPE_JS_URL: httpUrl.default('https://js.stripe.com/v3/'),
});

/** The metrics port in production when METRICS_PORT is unset (the OpenTelemetry Prometheus exporter's). */
export const DEFAULT_PRODUCTION_METRICS_PORT = 9464;

export type GatewayEnv = z.infer<typeof schema>;

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

export interface SubscriptionLimits {
  maxPerConnection: number;
  maxPerKey: number;
  maxBufferedBytes: number;
  maxQueuedEvents: number;
  keepAliveMs: number;
  connectionInitTimeoutMs: number;
}

/** The operator tools' settings (worker readiness, queue thresholds: gateway/src/rest/operations). */
export interface OperationsSettings {
  /** The run's BullMQ prefix (QUEUE_PREFIX), shared with every package's workers. */
  queuePrefix: string;
  redisUrl: string;
  readinessWorkers: readonly SubgraphName[];
  heartbeatMaxAgeMs: number;
  queueWaitingDegraded: number;
  queueFailedDegraded: number;
  longRunningJobSeconds: number;
}

/** Persisted and trusted documents (TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_PATH, APQ_CACHE_ENTRIES). */
export interface PersistedDocumentsSettings {
  mode: TrustedDocumentsMode;
  /** Read and checked at start (a bad manifest is a ConfigError); undefined when mode is `off`. */
  manifest: TrustedManifest | undefined;
  manifestPath: string | undefined;
  apqEntries: number;
}

/** Where /metrics is served: on the public port (`port` undefined) or on a listener of its own. */
export interface MetricsEndpoint {
  port: number | undefined;
  host: string;
  token: string | undefined;
}

export interface GatewayConfig {
  env: GatewayEnv;
  nodeEnv: NodeEnv;
  production: boolean;
  port: number;
  adminKey: string | undefined;
  subgraphUrls: Readonly<Record<SubgraphName, string>>;
  supergraphPath: string;
  limits: QueryLimits;
  maxBodyBytes: number;
  subgraphTimeoutMs: number;
  settlementTimeoutMs: number;
  subgraphMaxSockets: number;
  heapGrowingPercent: number;
  apiKeyCacheTtlMs: number;
  executor: 'handoff' | 'apollo';
  persistedDocuments: PersistedDocumentsSettings;
  subscriptions: SubscriptionLimits;
  metrics: MetricsEndpoint;
  operations: OperationsSettings;
  /** The hosted page's Stripe.js (STRIPE_JS_URL). */
  stripeJsUrl: string;
  internalSecret: string;
  /** PORTAL_ORIGINS: other origins (besides the gateway's own) a portal session's WebSocket may come from. */
  portalOrigins?: readonly string[];
  /** TRUST_PROXY, parsed for Express's "trust proxy" setting; undefined: trust no proxy. */
  trustProxy?: number | readonly string[];
  logger: Logger;
}

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = parseEnv(schema, env);
  const production = parsed.NODE_ENV === 'production';
  if (production && !parsed.HANDOFF_ADMIN_KEY) {
    throw new ConfigError(['HANDOFF_ADMIN_KEY: required when NODE_ENV=production']);
  }
  const subgraphUrls: Record<SubgraphName, string> = {
    merchant: parsed.MERCHANT_URL,
    'checkout-session': parsed.CHECKOUT_SESSION_URL,
    'payment-intent': parsed.PAYMENT_INTENT_URL,
    'conversion-ledger': parsed.CONVERSION_LEDGER_URL,
  };
  for (const name of SUBGRAPH_NAMES) if (!subgraphUrls[name]) throw new ConfigError([`${name}: no URL`]);
  return Object.freeze({
    env: parsed,
    nodeEnv: parsed.NODE_ENV,
    production,
    port: parsed.PORT,
    adminKey: parsed.HANDOFF_ADMIN_KEY,
    subgraphUrls: Object.freeze(subgraphUrls),
    supergraphPath: parsed.SUPERGRAPH_PATH ?? DEFAULT_SUPERGRAPH_PATH,
    limits: Object.freeze({
      maxDepth: parsed.MAX_DEPTH,
      maxAliases: parsed.MAX_ALIASES,
      maxTokens: parsed.MAX_TOKENS,
      maxDirectives: parsed.MAX_DIRECTIVES,
      maxCost: parsed.MAX_COST,
    }),
    maxBodyBytes: parsed.MAX_BODY_BYTES,
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
    settlementTimeoutMs: parsed.SETTLEMENT_TIMEOUT_MS,
    subgraphMaxSockets: parsed.SUBGRAPH_MAX_SOCKETS,
    stripeJsUrl: parsed.STRIPE_JS_URL,
    heapGrowingPercent: parsed.HEAP_GROWING_PERCENT,
    apiKeyCacheTtlMs: parsed.API_KEY_CACHE_TTL_MS,
    executor: parsed.GATEWAY_EXECUTOR,
    persistedDocuments: Object.freeze(persistedDocumentsSettings(parsed)),
    subscriptions: Object.freeze({
      maxPerConnection: parsed.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxPerKey: parsed.WS_MAX_SUBSCRIPTIONS_PER_KEY,
      maxBufferedBytes: parsed.WS_MAX_BUFFERED_BYTES,
      maxQueuedEvents: parsed.WS_MAX_QUEUED_EVENTS,
      keepAliveMs: parsed.WS_KEEPALIVE_MS,
      connectionInitTimeoutMs: parsed.WS_CONNECTION_INIT_TIMEOUT_MS,
    }),
    metrics: Object.freeze({
      port: parsed.METRICS_PORT ?? (production ? DEFAULT_PRODUCTION_METRICS_PORT : undefined),
      host: parsed.METRICS_HOST,
      token: parsed.METRICS_TOKEN,
    }),
    operations: Object.freeze({
      queuePrefix: parsed.QUEUE_PREFIX,
      redisUrl: parsed.REDIS_URL,
      readinessWorkers: Object.freeze([...parsed.READINESS_WORKERS]),
      heartbeatMaxAgeMs: parsed.WORKER_HEARTBEAT_MAX_AGE_MS,
      queueWaitingDegraded: parsed.OPS_QUEUE_WAITING_DEGRADED,
      queueFailedDegraded: parsed.OPS_QUEUE_FAILED_DEGRADED,
      longRunningJobSeconds: parsed.OPS_LONG_RUNNING_JOB_SECONDS,
    }),
    internalSecret: internalSecretFor(parsed),
    portalOrigins: Object.freeze((parsed.PORTAL_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)),
    trustProxy: parsed.TRUST_PROXY === undefined ? undefined : trustProxyOf(parsed.TRUST_PROXY),
    logger: createLogger('gateway', parsed.LOG_LEVEL),
  });
}

/** TRUSTED_DOCUMENTS and its manifest, read now: a missing or bad manifest stops the start with a ConfigError. */
function persistedDocumentsSettings(parsed: GatewayEnv): PersistedDocumentsSettings {
  const path = parsed.TRUSTED_DOCUMENTS_PATH;
  const mode: TrustedDocumentsMode = parsed.TRUSTED_DOCUMENTS ?? (path ? 'allow' : 'off');
  const apqEntries = parsed.APQ_CACHE_ENTRIES;
  if (mode === 'off') return { mode, manifest: undefined, manifestPath: path, apqEntries };
  if (!path) throw new ConfigError([`TRUSTED_DOCUMENTS=${mode} needs TRUSTED_DOCUMENTS_PATH (the manifest of allowed operations)`]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`TRUSTED_DOCUMENTS_PATH: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  try {
    return { mode, manifest: parseTrustedManifest(text, `TRUSTED_DOCUMENTS_PATH ${path}`), manifestPath: path, apqEntries };
  } catch (err) {
    if (err instanceof TrustedManifestError) throw new ConfigError([err.message]);
    throw err;
  }
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY's value for Express: a hop count, or addresses/ranges/names; undefined when malformed. */
export function trustProxyOf(value: string): number | readonly string[] | undefined {
  if (/^\d{1,2}$/.test(value)) return Number(value) <= 10 ? Number(value) : undefined;
  const parts = value.split(',').map((p) => p.trim());
  const valid = (p: string) => {
    if (PROXY_NAMES.has(p)) return true;
    const [addr, bits, extra] = p.split('/');
    const version = isIP(addr ?? '');
    if (!version || extra !== undefined) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
  };
  return parts.length && parts.every(valid) ? Object.freeze(parts) : undefined;
}
