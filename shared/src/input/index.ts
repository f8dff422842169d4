export * from './bounds.js';
export * from './display-text.js';
