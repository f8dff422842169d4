// What a gateway route (routes.ts, webhooks, subscriptions) is given: the gateway's own execution,
// authentication and signed internal calls. Its own module, so that the routes routes.ts mounts
// can name these types without importing routes.ts (which imports them): no import circle.
import type { Express } from 'express';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '@handoff/shared/logging/logger';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayConfig } from './config.js';
import type { SubgraphName } from './subgraph/subgraph-names.js';
import type { GatewayMetrics } from './http/metrics.js';

export interface ExecuteResult<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface InternalResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface GatewayRouteDeps {
  config: GatewayConfig;
  logger: Logger;
  subgraphUrls: Readonly<Record<SubgraphName, string>>;
  /** The gateway's Prometheus metrics (operator diagnostics read their averages). */
  metrics: GatewayMetrics;
  /** Redis for operator tools (worker heartbeats, every package's queues): connected on first use, closed with the gateway. */
  redis(): RedisClient;
  /** Runs `stop` when the gateway closes (what a route opened for itself). */
  onClose(stop: () => Promise<void>): void;
  /**
   * Runs an operation through the gateway itself (query planning, the subgraphs' rules, error
   * masking) as `principal`, exactly as if it had come to /graphql. REST adapters are built on it.
   */
  execute<T = Record<string, any>>(op: {
    query: string;
    variables?: Record<string, unknown>;
    principal: Principal;
    idempotencyKey?: string;
    /** The request's id (x-request-id), carried to the subgraphs; a new one when absent. */
    requestId?: string;
  }): Promise<ExecuteResult<T>>;
  /** Resolves an Authorization header as /graphql does (API key or the bootstrap admin key). */
  authenticate(authorization: string | undefined, requestId?: string): Promise<{ ok: true; principal: Principal } | { ok: false; reason: string }>;
  /**
   * A signed POST of raw bytes to a subgraph's internal REST route (`/internal/...`), as the
   * SERVICE principal `gateway`. Used by webhook ingestion, which must pass the raw body through.
   * An `x-request-id` among `headers` is kept (a new id otherwise).
   */
  callInternal(subgraph: SubgraphName, path: string, body: Buffer, headers?: Record<string, string>): Promise<InternalResponse>;
}

export type RouteMount = (app: Express, deps: GatewayRouteDeps) => void;
