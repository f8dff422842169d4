export * from './data-source.js';
export * from './keyset-page.js';
export * from './prepared-query.js';
export * from './read-pool.js';
export * from './replica-health.js';
