export * from './bounds.js';
export * from './display-text.js';
export * from './luhn.js';
