// How the sandbox signs a webhook: Stripe's scheme, `t=<unix seconds>,v1=<hex HMAC-SHA256(
// webhook secret, "<t>.<raw body>")>`, in a `Handoff-Signature` header (docs/api.md, "Webhooks
// in"). Handoff verifies it with its own code (payment-intent's webhooks/signature.ts), as it
// verifies Stripe's.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'handoff-signature';

export function signatureHeader(secret: string, payload: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex')}`;
}
