// Keyset pages come from the shared helper (@handoff/shared: pageOf, emptyPage, alignById).

/** Why a row is read: a query of this subgraph, or a reference from an entity already authorized. */
export type ReadPurpose = 'query' | 'reference';
