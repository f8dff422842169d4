// The Agentic Commerce Protocol's status of a checkout session (README: "ACP status mapping"),
// derived (never stored) from the session's own status, its payment commitment and its current
// calculation. First match wins:
//
//   status CANCELED                                     → canceled
//   status COMPLETE                                     → completed
//   status EXPIRED (or OPEN past expiresAt)             → expired
//   OPEN, a payment succeeded for another amount        → requires_escalation
//   OPEN, committed to paying its current calculation   → complete_in_progress
//   OPEN, no calculation, or a stale one, or blockers   → not_ready_for_payment
//        (address missing or not shipped to, shipping option not chosen, stock short, …)
//   OPEN otherwise                                      → ready_for_payment
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { isCommittedToPay } from '../checkout-lifecycle/lifecycle-status.js';
import type { CheckoutSessionTermsEntity } from '../checkout-lifecycle/session-terms.entity.js';

export type AcpStatus = 'not_ready_for_payment' | 'ready_for_payment' | 'complete_in_progress' | 'completed' | 'canceled' | 'expired' | 'requires_escalation';

type Facts = Pick<CheckoutSessionEntity, 'status' | 'expiresAt' | 'paymentMismatch' | 'customerEmail' | 'calculationId' | 'calculationStale'>;
type Commitment = Pick<CheckoutSessionTermsEntity, 'paymentCommittedAt' | 'paymentCalculationId'> | null;

/** The status, given the blockers of the session's current calculation (null: none is stored). */
export function acpStatusOf(s: Facts, terms: Commitment, blockers: readonly unknown[] | null, now: Date = new Date()): AcpStatus {
  const status = effectiveStatus(s, now);
  if (status === CheckoutSessionStatus.CANCELED) return 'canceled';
  if (status === CheckoutSessionStatus.COMPLETE) return 'completed';
  if (status === CheckoutSessionStatus.EXPIRED) return 'expired';
  if (s.paymentMismatch) return 'requires_escalation';
  if (isCommittedToPay(s, terms)) return 'complete_in_progress';
  if (!s.calculationId || s.calculationStale || blockers === null || blockers.length > 0) return 'not_ready_for_payment';
  return 'ready_for_payment';
}

/** Whether the status needs the current calculation's blockers (OPEN, calculated, fresh). */
export function needsBlockers(s: Facts, now: Date = new Date()): boolean {
  return effectiveStatus(s, now) === CheckoutSessionStatus.OPEN && !s.paymentMismatch && Boolean(s.calculationId) && !s.calculationStale;
}
