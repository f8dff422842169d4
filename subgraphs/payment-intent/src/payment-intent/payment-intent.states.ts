// The payment intent's state machine as a table (Stripe's states). Every status change, from a
// command or from a PSP webhook, goes through `canTransition`; webhooks additionally only move
// forward (`isForward`), so events applied in any order converge on the same final state.
import { canTransition as tableAllows, stateTable } from '@handoff/shared';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';

export const paymentIntentStates = stateTable<S>('payment_intent', {
  [S.REQUIRES_PAYMENT_METHOD]: [S.REQUIRES_CONFIRMATION, S.REQUIRES_ACTION, S.PROCESSING, S.REQUIRES_CAPTURE, S.SUCCEEDED, S.CANCELED],
  [S.REQUIRES_CONFIRMATION]: [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION, S.PROCESSING, S.REQUIRES_CAPTURE, S.SUCCEEDED, S.CANCELED],
  // A failed 3-D Secure challenge goes back to REQUIRES_PAYMENT_METHOD (a new card may be tried).
  [S.REQUIRES_ACTION]: [S.REQUIRES_PAYMENT_METHOD, S.PROCESSING, S.REQUIRES_CAPTURE, S.SUCCEEDED, S.CANCELED],
  [S.PROCESSING]: [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_CAPTURE, S.SUCCEEDED, S.CANCELED],
  // Capture (whole or partial: the rest is released) or cancel (the authorization is released).
  [S.REQUIRES_CAPTURE]: [S.SUCCEEDED, S.CANCELED],
  // Terminal. Refunds and disputes happen after SUCCEEDED without changing the status.
  [S.SUCCEEDED]: [],
  [S.CANCELED]: [],
});

export const transitions = paymentIntentStates.moves;

export function canTransition(from: S, to: S): boolean {
  return tableAllows(paymentIntentStates, from, to);
}

/** Statuses from which a buyer may (re)confirm with a payment method. */
export const CONFIRMABLE: readonly S[] = [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_CONFIRMATION];

/** How far along the happy path a status is; a PSP event never moves an intent to a lower rank. */
const rank: Record<S, number> = {
  [S.REQUIRES_PAYMENT_METHOD]: 0,
  [S.REQUIRES_CONFIRMATION]: 1,
  [S.REQUIRES_ACTION]: 2,
  [S.PROCESSING]: 3,
  [S.REQUIRES_CAPTURE]: 4,
  [S.SUCCEEDED]: 5,
  [S.CANCELED]: 5,
};

/**
 * Whether a PSP event reporting `to` may move an intent at `from`: the table allows it, and it is
 * not a step back (a late `processing` after `succeeded` is ignored). A failure report
 * (→ REQUIRES_PAYMENT_METHOD) is the one backward move allowed, and only while the payment is in
 * flight (REQUIRES_ACTION, PROCESSING).
 */
export function isForward(from: S, to: S): boolean {
  if (!canTransition(from, to)) return false;
  if (to === S.REQUIRES_PAYMENT_METHOD) return from === S.REQUIRES_ACTION || from === S.PROCESSING;
  return rank[to] > rank[from];
}

export function isTerminal(status: S): boolean {
  return transitions[status].length === 0;
}

/** The outbox topic announcing a move to `status` (docs/internal-contracts.md). */
export function statusTopic(status: S, opts: { failed?: boolean } = {}): string {
  if (status === S.REQUIRES_PAYMENT_METHOD && opts.failed) return 'payment_intent.payment_failed';
  return `payment_intent.${status.toLowerCase()}`;
}
