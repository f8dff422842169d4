export * from './codes.js';
export * from './mask.js';
