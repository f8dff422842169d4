// @handoff/shared: Handoff's own building blocks, used by every package.
import 'reflect-metadata';
export * from './config/config.js';
export * from './errors/index.js';
export * from './logging/index.js';
export * from './identity/index.js';
export * from './federation/index.js';
export * from './persistence/index.js';
export * from './http/index.js';
export * from './graphql/index.js';
export * from './money/index.js';
export * from './idempotency/index.js';
export * from './outbox/index.js';
export * from './queue/index.js';
export * from './attribution/index.js';
export * from './input/index.js';
export * from './state/index.js';
export * from './contracts/index.js';
export * from './contracts/pricing-config.contract.js';
