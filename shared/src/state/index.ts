export * from './state-table.js';
export * from './state-table.check.js';
