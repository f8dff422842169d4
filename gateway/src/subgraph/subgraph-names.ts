// The four subgraphs as they are named in the composed supergraph.
export const SUBGRAPH_NAMES = ['merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(name);
}
