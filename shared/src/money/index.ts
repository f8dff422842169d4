export * from './currency.js';
export * from './money.js';
export * from './column.js';
