// A checkout paid in full by gift cards and store credit (issue 20, seed 003 §6 split, §11). When
// the session's held tender covers its whole total, its payment commitment (checkout-session's
// beginCheckoutPayment) answers 0 to charge. Confirming the session's intent then charges no card:
//   - no payment method is needed (one given is not charged; the PSP is not asked to confirm);
//   - the intent's amount becomes 0 and it is SUCCEEDED, announced as payment_intent.succeeded
//     with `paidBy: tender`; checkout-session completes the session from that event as from any
//     payment (its holds captured: `tender.*.redeemed` for the ledger, checkout.completed for the
//     merchant), and finalization then creates the order;
//   - the PSP payment made when the intent was created was never confirmed: no money moved on it.
// The ledger posts no card payment (no PSP event): only the tender redemptions, balanced.
import type { EntityManager } from 'typeorm';
import type { CheckoutPaymentTerms, CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import { transition } from './payment-intent.changes.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';

export const PAID_BY_TENDER = 'tender';

/** Whether a bound intent's session is covered by its held tender now (asked before confirming without a payment method). */
export async function coveredByTender(sessions: unknown, intent: Pick<PaymentIntentEntity, 'checkoutBinding' | 'checkoutSessionId'>): Promise<boolean> {
  if (!intent.checkoutBinding || !intent.checkoutSessionId || !sessions || typeof (sessions as CheckoutRiskSignalsSource).riskSignals !== 'function') return false;
  const signals = await (sessions as CheckoutRiskSignalsSource).riskSignals(intent.checkoutSessionId);
  return !!signals && (signals.tenderHeldMinor ?? 0) > 0 && (signals.tenderHeldMinor ?? 0) >= signals.amountMinor;
}

/**
 * The commitment found nothing to charge: the intent is paid by the session's tender (in the
 * confirming command's transaction), or (`paidBy` 'trial') it starts a subscription's trial
 * (billing-subscription/billing-checkout.ts): nothing charged, the card kept.
 */
export async function settleByTender(manager: EntityManager, intent: PaymentIntentEntity, terms: CheckoutPaymentTerms, paidBy: string = PAID_BY_TENDER): Promise<void> {
  await manager.update(PaymentIntentEntity, { id: intent.id }, { amountMinor: 0 });
  intent.amountMinor = 0;
  intent.amountCapturedMinor = 0;
  intent.nextAction = null;
  intent.lastPaymentError = null;
  await transition(manager, intent, S.SUCCEEDED, { action: 'be confirmed', data: { paidBy, calculationId: terms.calculationId } });
}
