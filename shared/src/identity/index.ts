export * from './principal.js';
export * from './actor.js';
export * from './api-key.js';
export * from './signing.js';
export * from './authorize.js';
export * from './client-secret.js';
export * from './payload-signature.js';
export * from './webhook-signature.js';
