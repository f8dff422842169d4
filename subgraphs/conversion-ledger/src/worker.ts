// Production entry point: the conversion-ledger package's background work: the outbox relay
// (shared); the Ledger issue adds conversion recording, settlement and the outbox routes.
import { runSubgraphMain } from '@handoff/shared';
import { conversionLedgerSubgraph } from './index.js';

await runSubgraphMain(conversionLedgerSubgraph, 'worker');
