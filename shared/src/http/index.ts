export * from './context.js';
export * from './health.js';
export * from './metrics.js';
export * from './subgraph-server.js';
export * from './subgraph-app.js';
export * from './define-subgraph.js';
export * from './main.js';
export * from './internal-client.js';
