// What the risk action does to a confirmation (payment-intent.commands.ts confirm), in its
// transaction: BLOCK records the refused attempt (lastPaymentError fraud_block, a
// `payment_intent.payment_failed` event: the checkout's failure reason is fraud_block) and the
// PSP is never asked; CHALLENGE confirms with 3-D Secure forced; REVIEW confirms for a manual
// capture (the intent's capture mode becomes MANUAL) and, once authorized, opens a manual review;
// ALLOW confirms as before. The PSP's answer is the confirmation's outcome (decline-ratio rules count it).
import { FRAUD_BLOCK_PAYMENT_ERROR, type HandoffError } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { ConfirmOptions, PspPayment } from '../psp/connector.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { CaptureMode } from '../payment-intent/payment-intent.enums.js';
import { saveChange } from '../payment-intent/payment-intent.changes.js';
import { CONFIRM_ATTEMPT } from '../payment-intent/payment-intent.timeline.js';
import type { ConfirmRisk } from './risk-assessor.js';
import { recordOutcome } from './risk-assessments.store.js';
import { fraudBlocked } from './risk.errors.js';
import { RiskAction } from './risk.model.js';
import { openReview } from './manual-review.store.js';

/** What the change's timeline and audit rows say of the assessment. */
export const riskData = (risk: ConfirmRisk) => ({ risk: { assessmentId: risk.assessment.id, score: risk.assessment.score, action: risk.action } });

/** BLOCK: the refused attempt recorded (committed), and the error the caller throws after the commit. */
export async function refuseConfirmation(manager: EntityManager, intent: PaymentIntentEntity, risk: ConfirmRisk): Promise<HandoffError> {
  const message = "The payment was refused by the merchant's risk rules.";
  intent.lastPaymentError = { code: FRAUD_BLOCK_PAYMENT_ERROR, declineCode: null, message };
  await saveChange(manager, intent, 'payment_intent.payment_failed', { [CONFIRM_ATTEMPT]: true, error: { code: FRAUD_BLOCK_PAYMENT_ERROR, declineCode: null }, ...riskData(risk) });
  return fraudBlocked(message);
}

/** The PSP options of the action; REVIEW makes the intent's capture manual first (under its row lock; the change's save moves its version). */
export async function confirmOptionsFor(manager: EntityManager, intent: PaymentIntentEntity, risk: ConfirmRisk | null): Promise<ConfirmOptions> {
  if (!risk) return {};
  if (risk.action === RiskAction.CHALLENGE) return { requestThreeDSecure: true };
  if (risk.action !== RiskAction.REVIEW) return {};
  if (intent.captureMode !== CaptureMode.MANUAL) {
    await manager.update(PaymentIntentEntity, { id: intent.id }, { captureMode: CaptureMode.MANUAL });
    intent.captureMode = CaptureMode.MANUAL;
  }
  return { manualCapture: true };
}

/** After the PSP answered: the outcome on the assessment; a REVIEW not declined is held in the manual review queue. */
export async function settleConfirmation(manager: EntityManager, intent: PaymentIntentEntity, risk: ConfirmRisk | null, psp: PspPayment): Promise<void> {
  if (!risk) return;
  await recordOutcome(manager, risk.assessment.id, Boolean(psp.error));
  if (risk.action === RiskAction.REVIEW && !psp.error) {
    await openReview(manager, { merchantId: intent.merchantId, checkoutSessionId: intent.checkoutSessionId, paymentIntentId: intent.id, assessmentId: risk.assessment.id, reason: 'rules' });
  }
}
