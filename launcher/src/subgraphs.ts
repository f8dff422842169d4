// The four subgraphs, in composition order.
import type { SubgraphModule } from '@handoff/shared';
import { merchantSubgraph } from '@handoff/merchant';
import { checkoutSessionSubgraph } from '@handoff/checkout-session';
import { paymentIntentSubgraph } from '@handoff/payment-intent';
import { conversionLedgerSubgraph } from '@handoff/conversion-ledger';

export const subgraphModules: SubgraphModule[] = [
  merchantSubgraph,
  checkoutSessionSubgraph,
  paymentIntentSubgraph,
  conversionLedgerSubgraph,
] as SubgraphModule[];

/** Default subgraph URLs, as written into the committed supergraph (the gateway overrides them). */
export const defaultSubgraphUrl = (m: SubgraphModule) => `http://127.0.0.1:${m.defaultPort}/graphql`;
