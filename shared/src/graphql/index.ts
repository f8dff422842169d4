export * from './pagination.js';
export * from './money.type.js';
export * from './actor.type.js';
export * from './recurring-price.type.js';
