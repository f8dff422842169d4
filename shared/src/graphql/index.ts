export * from './pagination.js';
export * from './money.type.js';
export * from './actor.type.js';
