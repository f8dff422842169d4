// @handoff/gateway: the one public endpoint, in front of the four subgraphs.
export { createGateway, type CreateGatewayOptions, type GatewayServer, type HandoffGateway } from './gateway.js';
export { loadGatewayConfig, DEFAULT_SUPERGRAPH_PATH, type GatewayConfig, type GatewayEnv, type QueryLimits } from './config.js';
export type { GatewayContext } from './context.js';
export { routeMounts, type RouteMount, type GatewayRouteDeps, type ExecuteResult, type InternalResponse } from './routes.js';
export { CachingApiKeyResolver, merchantApiKeyLookup, type ApiKeyResolver, type ApiKeyLookup, type ResolvedApiKey } from './auth/api-key-resolver.js';
export { SUBGRAPH_NAMES, type SubgraphName } from './subgraph/subgraph-names.js';
export type { RunningServer } from '@handoff/shared/http/subgraph-server';
export { PAYMENT_STATUS_SUBSCRIPTION } from './subscriptions/hosted-page-client.js';
