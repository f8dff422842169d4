export * from './bounds.js';
