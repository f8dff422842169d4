// The manual review queue's rows (payment.manual_reviews): at most one PENDING review per payment
// intent (a unique index), opened by a confirmation the rules sent to review or by a fraud
// provider's review decision.
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { ManualReviewEntity } from './risk.entities.js';

export interface ReviewSpec {
  merchantId: string;
  checkoutSessionId: string | null;
  paymentIntentId: string;
  assessmentId: string | null;
  /** `rules` or `provider`. */
  reason: string;
}

/** Opens the intent's review; true when it opened one (false: one is already pending). */
export async function openReview(manager: EntityManager, spec: ReviewSpec): Promise<boolean> {
  const rows = (await manager.query(
    `INSERT INTO payment.manual_reviews (id, merchant_id, checkout_session_id, payment_intent_id, assessment_id, status, reason)
     VALUES ($1, $2, $3, $4, $5, 'PENDING', $6)
     ON CONFLICT (payment_intent_id) WHERE status = 'PENDING' DO NOTHING RETURNING id`,
    [`mr_${ulid()}`, spec.merchantId, spec.checkoutSessionId, spec.paymentIntentId, spec.assessmentId, spec.reason],
  )) as unknown[];
  return rows.length > 0;
}

/** The session's pending review, row-locked; null when none. */
export function lockPendingReview(manager: EntityManager, checkoutSessionId: string): Promise<ManualReviewEntity | null> {
  return manager.findOne(ManualReviewEntity, { where: { checkoutSessionId, status: 'PENDING' }, lock: { mode: 'pessimistic_write' } });
}
