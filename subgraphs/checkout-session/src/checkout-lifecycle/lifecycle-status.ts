// Seed 003's lifecycle status of a checkout session, derived (never stored) from the session's
// own `status` (OPEN | COMPLETE | EXPIRED | CANCELED, which keeps its meaning), what the buyer has
// filled in, and the payment commitment. The mapping, first match wins:
//
//   status CANCELED                                   → CANCELED
//   status COMPLETE                                   → COMPLETED
//   status EXPIRED (or OPEN past expiresAt)           → FAILED     (ended unpaid; its intent is canceled)
//   OPEN, a payment succeeded for another amount      → FAILED     (paymentMismatch: needs a person)
//   OPEN, committed to paying its current calculation → PAYMENT_PROCESSING
//        (a confirmation started: amount bound, promotion uses taken; a declined attempt stays
//         here until the buyer changes the session, which makes the commitment stale)
//   OPEN, an inventory reservation held               → RESERVED   (reservation/: until its hold ends)
//   OPEN, any buyer detail collected                  → COLLECTING (customer email/phone/id,
//        an address, a shipping selection, a promotion code)
//   OPEN otherwise                                    → CREATED
import { registerEnumType } from 'type-graphql';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import type { CheckoutSessionTermsEntity } from './session-terms.entity.js';

export enum CheckoutLifecycleStatus {
  CREATED = 'CREATED',
  COLLECTING = 'COLLECTING',
  RESERVED = 'RESERVED',
  PAYMENT_PROCESSING = 'PAYMENT_PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELED = 'CANCELED',
}

registerEnumType(CheckoutLifecycleStatus, {
  name: 'CheckoutLifecycleStatus',
  description: "Seed 003's session status, derived from status, the buyer's details and the payment commitment (docs/api.md).",
});

type SessionFacts = Pick<CheckoutSessionEntity, 'status' | 'expiresAt' | 'paymentMismatch' | 'customerEmail'> &
  Partial<Pick<CheckoutSessionEntity, 'customerPhone' | 'customerId' | 'shippingAddress' | 'billingAddress' | 'selectedShipping' | 'promotionCodes' | 'calculationId' | 'calculationStale' | 'reservationHeldUntil'>>;

type Commitment = Pick<CheckoutSessionTermsEntity, 'paymentCommittedAt' | 'paymentCalculationId'> | null;

/** Whether the session is committed to paying what it shows now (the commitment is for its current calculation, which is not stale). */
export function isCommittedToPay(session: SessionFacts, terms: Commitment): boolean {
  if (!terms?.paymentCommittedAt) return false;
  if (terms.paymentCalculationId === null) return true; // an unpriced session: its lines cannot change once paying
  return terms.paymentCalculationId === (session.calculationId ?? null) && session.calculationStale !== true;
}

export function hasBuyerDetails(s: SessionFacts): boolean {
  return Boolean(
    s.customerEmail || s.customerPhone || s.customerId || s.shippingAddress || s.billingAddress || s.selectedShipping || (s.promotionCodes && s.promotionCodes.length > 0),
  );
}

export function lifecycleStatusOf(session: SessionFacts, terms: Commitment, now: Date = new Date()): CheckoutLifecycleStatus {
  const status = effectiveStatus(session, now);
  if (status === CheckoutSessionStatus.CANCELED) return CheckoutLifecycleStatus.CANCELED;
  if (status === CheckoutSessionStatus.COMPLETE) return CheckoutLifecycleStatus.COMPLETED;
  if (status === CheckoutSessionStatus.EXPIRED) return CheckoutLifecycleStatus.FAILED;
  if (session.paymentMismatch) return CheckoutLifecycleStatus.FAILED;
  if (isCommittedToPay(session, terms)) return CheckoutLifecycleStatus.PAYMENT_PROCESSING;
  if (session.reservationHeldUntil && new Date(session.reservationHeldUntil).getTime() > now.getTime()) return CheckoutLifecycleStatus.RESERVED;
  if (hasBuyerDetails(session)) return CheckoutLifecycleStatus.COLLECTING;
  return CheckoutLifecycleStatus.CREATED;
}
