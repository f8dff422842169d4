// The merchant subgraph: merchants, offers, agents and builders, API keys, payment connectors.
import type { SubgraphModule } from '@handoff/shared';
import { createApp, SCHEMA_NAME, SUBGRAPH_NAME } from './app.js';
import { loadConfig, type MerchantConfig } from './config.js';

export const merchantSubgraph: SubgraphModule<MerchantConfig> = {
  name: SUBGRAPH_NAME,
  schemaName: SCHEMA_NAME,
  defaultPort: 4001,
  loadConfig,
  createApp,
};
export { createApp, loadConfig, type MerchantConfig };
