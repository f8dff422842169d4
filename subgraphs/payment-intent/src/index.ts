// The payment-intent subgraph: payment intents (and, with the Payments issue, PSP connectors,
// webhook ingestion and the hosted checkout page).
import type { SubgraphModule } from '@handoff/shared';
import { createApp, SCHEMA_NAME, SUBGRAPH_NAME } from './app.js';
import { loadConfig, type PaymentIntentConfig } from './config.js';

export const paymentIntentSubgraph: SubgraphModule<PaymentIntentConfig> = {
  name: SUBGRAPH_NAME,
  schemaName: SCHEMA_NAME,
  defaultPort: 4003,
  loadConfig,
  createApp,
};
export { createApp, loadConfig, type PaymentIntentConfig };
