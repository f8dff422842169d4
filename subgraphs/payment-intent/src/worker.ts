// Production entry point: the payment-intent package's background work: the outbox relay
// (shared); the Payments issue adds webhook ingestion and the outbox routes.
import { runSubgraphMain } from '@handoff/shared';
import { paymentIntentSubgraph } from './index.js';

await runSubgraphMain(paymentIntentSubgraph, 'worker');
