// Production entry point: the merchant package's background work (outbox relay).
import { runSubgraphMain } from '@handoff/shared';
import { merchantSubgraph } from './index.js';

await runSubgraphMain(merchantSubgraph, 'worker');
