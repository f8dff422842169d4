// Names this package is known by: the composed subgraph name and its own Postgres schema.
export const SUBGRAPH_NAME = 'merchant';
export const SCHEMA_NAME = 'merchant';
