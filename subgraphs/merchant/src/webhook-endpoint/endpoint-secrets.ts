// An endpoint's signing secrets at rest: AES-256-GCM (payment-connector/crypto.ts) bound to the
// endpoint, so a ciphertext copied to another endpoint's row does not open. The secret signing a
// delivery is the current one, and for 24 hours after a rotation the previous one too.
import { decryptSecret, encryptSecret } from '../payment-connector/crypto.js';
import { generateWebhookSecret } from '../payment-connector/payment-connector.validation.js';

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

const aad = (endpointId: string) => `webhook_endpoint:${endpointId}:secret`;

export { generateWebhookSecret };

export function sealEndpointSecret(key: Buffer, endpointId: string, secret: string): string {
  return encryptSecret(key, secret, aad(endpointId));
}

export function openEndpointSecret(key: Buffer, endpointId: string, ciphertext: string): string {
  return decryptSecret(key, ciphertext, aad(endpointId));
}

export interface SealedSecrets {
  id: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/**
 * Opened secrets, by endpoint and ciphertext: a delivery's claim reads the endpoint's ciphertexts
 * anyway, so a rotated (or re-encrypted) secret is a new key here and the old entry is never
 * used again — no invalidation to miss. Bounded: cleared when full.
 */
const openedByKey = new WeakMap<Buffer, Map<string, string>>();
const MAX_OPENED = 10_000;

function openCached(key: Buffer, endpointId: string, ciphertext: string): string {
  let opened = openedByKey.get(key);
  if (!opened) openedByKey.set(key, (opened = new Map()));
  const k = `${endpointId}\u0000${ciphertext}`;
  let secret = opened.get(k);
  if (secret === undefined) {
    secret = openEndpointSecret(key, endpointId, ciphertext);
    if (opened.size >= MAX_OPENED) opened.clear();
    opened.set(k, secret);
  }
  return secret;
}

/** The secrets a delivery at `now` is signed with: the current one first, then the previous one while it overlaps. */
export function signingSecrets(key: Buffer, e: SealedSecrets, now: Date): string[] {
  const secrets = [openCached(key, e.id, e.secretCiphertext)];
  if (e.previousSecretCiphertext && e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now.getTime()) {
    secrets.push(openCached(key, e.id, e.previousSecretCiphertext));
  }
  return secrets;
}
