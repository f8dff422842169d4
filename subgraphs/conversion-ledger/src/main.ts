// Production entry point: the conversion-ledger subgraph alone, on CONVERSION_LEDGER_PORT.
import { runSubgraphMain } from '@handoff/shared';
import { conversionLedgerSubgraph } from './index.js';

await runSubgraphMain(conversionLedgerSubgraph, 'server');
