// Secrets at rest (AES-256-GCM, bound to their row and purpose): written once in shared
// (identity/secret-box.ts), which payment-intent's fraud-provider secrets use too.
export { decryptSecret, encryptSecret, SecretDecryptionError } from '@handoff/shared';
