// Production entry point: the checkout-session package's background work. None yet: the
// Checkout issue adds the expiry scheduler and the outbox relay (with its routes).
import { runSubgraphMain } from '@handoff/shared';
import { checkoutSessionSubgraph } from './index.js';

await runSubgraphMain(checkoutSessionSubgraph, 'worker');
