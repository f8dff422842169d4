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

/** The secrets a delivery at `now` is signed with: the current one first, then the previous one while it overlaps. */
export function signingSecrets(key: Buffer, e: SealedSecrets, now: Date): string[] {
  const secrets = [openEndpointSecret(key, e.id, e.secretCiphertext)];
  if (e.previousSecretCiphertext && e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now.getTime()) {
    secrets.push(openEndpointSecret(key, e.id, e.previousSecretCiphertext));
  }
  return secrets;
}
