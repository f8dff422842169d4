// The conversion-ledger subgraph: conversions (and, with the Ledger issue, milestones,
// commissions, double-entry books and settlement).
import type { SubgraphModule } from '@handoff/shared';
import { createApp, SCHEMA_NAME, SUBGRAPH_NAME } from './app.js';
import { loadConfig, type ConversionLedgerConfig } from './config.js';

export const conversionLedgerSubgraph: SubgraphModule<ConversionLedgerConfig> = {
  name: SUBGRAPH_NAME,
  schemaName: SCHEMA_NAME,
  defaultPort: 4004,
  loadConfig,
  createApp,
};
export { createApp, loadConfig, type ConversionLedgerConfig };
