export * from './codes.js';
export * from './mask.js';
export * from './transient.js';
export * from './http-status.js';
