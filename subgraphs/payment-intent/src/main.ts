// Production entry point: the payment-intent subgraph alone, on PAYMENT_INTENT_PORT.
import { runSubgraphMain } from '@handoff/shared';
import { paymentIntentSubgraph } from './index.js';

await runSubgraphMain(paymentIntentSubgraph, 'server');
