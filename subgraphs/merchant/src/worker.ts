// Production entry point: the merchant package's background work: the outbox relay, and outbound
// webhooks' intake (outbound-webhook-events), delivery worker and sweep (webhook-endpoint/webhooks.module.ts).
import { runSubgraphMain } from '@handoff/shared';
import { merchantSubgraph } from './index.js';

await runSubgraphMain(merchantSubgraph, 'worker');
