export * from './codes.js';
export * from './mask.js';
export * from './transient.js';
