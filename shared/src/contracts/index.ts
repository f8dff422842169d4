// Every cross-package queue name, topic and event payload type, once (docs/internal-contracts.md):
// one file per channel, imported by its producer and its consumers.
export * from './payment-intent-events.contract.js';
export * from './payment-events.contract.js';
export * from './conversion-events.contract.js';
export * from './merchant-events.contract.js';
export * from './webhook-events.contract.js';
export * from './checkout-settings.contract.js';
export * from './checkout-timeline.contract.js';
export * from './audit.contract.js';
export * from './checkout-analytics.contract.js';
export * from './tender-events.contract.js';
export * from './recurring-price.contract.js';
export * from './dunning-settings.contract.js';
export * from './bi-facts.contract.js';
