// Production entry point: the payment-intent package's background work. None yet: the
// Payments issue adds webhook ingestion and the outbox relay (with its routes).
import { runSubgraphMain } from '@handoff/shared';
import { paymentIntentSubgraph } from './index.js';

await runSubgraphMain(paymentIntentSubgraph, 'worker');
