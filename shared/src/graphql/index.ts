export * from './pagination.js';
export * from './money.type.js';
