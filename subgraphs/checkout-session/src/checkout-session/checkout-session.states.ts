// The checkout session's lifecycle as a table, and how its status reads.
import { assertTransition, canTransition, stateTable } from '@handoff/shared';
import { CheckoutSessionStatus } from './checkout-session.enums.js';

const S = CheckoutSessionStatus;

/**
 * Allowed moves. EXPIRED → COMPLETE exists because a payment that succeeded is a fact: when a
 * confirmation already in flight lands after the expiry job, the session must say it was paid.
 */
export const checkoutSessionStates = stateTable<CheckoutSessionStatus>('checkout_session', {
  [S.OPEN]: [S.COMPLETE, S.EXPIRED, S.CANCELED],
  [S.EXPIRED]: [S.COMPLETE],
  [S.COMPLETE]: [],
  [S.CANCELED]: [],
});

export const checkoutSessionTransitions = checkoutSessionStates.moves;

export const canTransitionCheckoutSession = (from: CheckoutSessionStatus, to: CheckoutSessionStatus): boolean =>
  canTransition(checkoutSessionStates, from, to);

/** INVALID_STATE_TRANSITION ("A checkout session cannot go from X to Y.", reason checkout_session:X->Y) unless allowed. */
export const assertCheckoutSessionTransition = (from: CheckoutSessionStatus, to: CheckoutSessionStatus): void =>
  assertTransition(checkoutSessionStates, from, to);

/**
 * An OPEN session past `expiresAt` reads as EXPIRED at once, before the expiry job has marked
 * it, so nobody can act on a session that is already dead.
 */
export function effectiveStatus(
  session: { status: CheckoutSessionStatus; expiresAt: Date },
  now: Date = new Date(),
): CheckoutSessionStatus {
  if (session.status === S.OPEN && session.expiresAt.getTime() <= now.getTime()) return S.EXPIRED;
  return session.status;
}
