export * from './canonical-json.js';
export * from './idempotency.migration.js';
export * from './idempotency.service.js';
export * from './schema-name.js';
