// The checkout-session subgraph: agent sessions, recommendations, agent checkout with a signed
// attribution code, and merchant checkout sessions.
import type { SubgraphModule } from '@handoff/shared';
import { createApp, SCHEMA_NAME, SUBGRAPH_NAME } from './app.js';
import { loadConfig, type CheckoutSessionConfig } from './config.js';

export const checkoutSessionSubgraph: SubgraphModule<CheckoutSessionConfig> = {
  name: SUBGRAPH_NAME,
  schemaName: SCHEMA_NAME,
  defaultPort: 4002,
  loadConfig,
  createApp,
};
export { createApp, loadConfig, type CheckoutSessionConfig };
