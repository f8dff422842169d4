// Production entry point: the checkout-session package's background work: the outbox relay
// (shared); the Checkout issue adds the expiry scheduler and the outbox routes.
import { runSubgraphMain } from '@handoff/shared';
import { checkoutSessionSubgraph } from './index.js';

await runSubgraphMain(checkoutSessionSubgraph, 'worker');
