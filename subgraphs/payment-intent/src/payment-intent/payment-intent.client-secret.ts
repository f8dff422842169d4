// A payment intent's client secret (seed 003 §6: `client_secret` in the create answer): what a
// browser or app holds to read and confirm the intent without an API key.
//   - an intent paying a checkout session: the session's client secret (the hosted page's);
//   - a standalone intent: its own (`pi_<id>_secret_…`, shared/src/identity/client-secret.ts),
//     which the gateway turns into a CLIENT principal scoped to that intent alone.
// Both are derived (HMAC) from the internal secret: nothing is stored. Shown to the intent's
// merchant, an admin, Handoff's services and a client holding it already; never to an agent.
import { clientSecretFor, intentClientSecretFor, type Principal } from '@handoff/shared';
import type { PaymentIntentEntity } from './payment-intent.entity.js';

const SHOWN_TO: ReadonlyArray<Principal['kind']> = ['MERCHANT', 'ADMIN', 'SERVICE', 'CLIENT'];

export class PaymentIntentClientSecrets {
  constructor(private readonly internalSecret: string) {}

  /** The intent's client secret, or null for a caller it is not shown to. */
  of(principal: Principal, intent: Pick<PaymentIntentEntity, 'id' | 'checkoutSessionId'>): string | null {
    if (!SHOWN_TO.includes(principal.kind)) return null;
    return intent.checkoutSessionId ? clientSecretFor(intent.checkoutSessionId, this.internalSecret) : intentClientSecretFor(intent.id, this.internalSecret);
  }
}
