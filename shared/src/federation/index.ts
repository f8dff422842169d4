export * from './build-subgraph.js';
