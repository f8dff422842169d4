// Production entry point: the checkout-session subgraph alone, on CHECKOUT_SESSION_PORT.
import { runSubgraphMain } from '@handoff/shared';
import { checkoutSessionSubgraph } from './index.js';

await runSubgraphMain(checkoutSessionSubgraph, 'server');
