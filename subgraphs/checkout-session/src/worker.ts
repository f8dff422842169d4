// Production entry point: the checkout-session package's background work: the outbox relay
// (shared), the payment-events consumer (checkout completion) and the expiry job scheduler.
import { runSubgraphMain } from '@handoff/shared';
import { checkoutSessionSubgraph } from './index.js';

await runSubgraphMain(checkoutSessionSubgraph, 'worker');
