export * from './attribution-code.js';
