export * from './data-source.js';
export * from './keyset-page.js';
