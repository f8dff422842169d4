// Why a row is being read: a query of this subgraph (`query`) or a reference from another
// subgraph's entity (`reference`), whose owner has already authorized the parent. The tenant
// rules in each service differ between the two only for agents and hosted-page clients.
export type ReadPurpose = 'query' | 'reference';
