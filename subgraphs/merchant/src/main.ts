// Production entry point: the merchant subgraph alone, on MERCHANT_PORT.
import { runSubgraphMain } from '@handoff/shared';
import { merchantSubgraph } from './index.js';

await runSubgraphMain(merchantSubgraph, 'server');
