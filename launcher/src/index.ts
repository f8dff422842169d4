// @handoff/launcher: starts Handoff in one process (npm start, tests), composes the supergraph,
// runs migrations, loads demo data.
export * from './composition.js';
export * from './start.js';
export * from './subgraphs.js';
export { migrateAll } from './migrate.js';
