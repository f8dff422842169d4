// How a checkout session's status reads. The transition table joins it with the Checkout issue.
import { CheckoutSessionStatus } from './checkout-session.enums.js';

/**
 * An OPEN session past `expiresAt` reads as EXPIRED at once, before the expiry job has marked
 * it, so nobody can act on a session that is already dead.
 */
export function effectiveStatus(
  session: { status: CheckoutSessionStatus; expiresAt: Date },
  now: Date = new Date(),
): CheckoutSessionStatus {
  if (session.status === CheckoutSessionStatus.OPEN && session.expiresAt.getTime() <= now.getTime()) {
    return CheckoutSessionStatus.EXPIRED;
  }
  return session.status;
}
