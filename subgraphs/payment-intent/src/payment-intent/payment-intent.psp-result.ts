// Applies a PSP's answer to a command (confirm, 3-D Secure, capture, cancel) to the intent:
// status through the state table, next action, last error, captured amount.
import type { EntityManager } from 'typeorm';
import type { PspPayment, PspStatus } from '../psp/connector.js';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';
import { saveChange, transition } from './payment-intent.changes.js';

export const statusOfPsp: Readonly<Record<PspStatus, S>> = {
  requires_payment_method: S.REQUIRES_PAYMENT_METHOD,
  requires_confirmation: S.REQUIRES_CONFIRMATION,
  requires_action: S.REQUIRES_ACTION,
  processing: S.PROCESSING,
  requires_capture: S.REQUIRES_CAPTURE,
  succeeded: S.SUCCEEDED,
  canceled: S.CANCELED,
};

export async function applyPspPayment(
  manager: EntityManager,
  intent: PaymentIntentEntity,
  psp: PspPayment,
  action: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  const to = statusOfPsp[psp.status];
  // The PSP's own id for the attempt's method (Stripe resolves test aliases): webhooks name it.
  if (psp.paymentMethodId) intent.paymentMethodId = psp.paymentMethodId;
  intent.nextAction = to === S.REQUIRES_ACTION ? psp.nextAction : null;
  if (psp.error) intent.lastPaymentError = { ...psp.error };
  if (to === S.SUCCEEDED) {
    intent.amountCapturedMinor = psp.amountReceivedMinor > 0 ? psp.amountReceivedMinor : intent.amountMinor;
    intent.lastPaymentError = null;
  }
  const failure = psp.error ? { error: { code: psp.error.code, declineCode: psp.error.declineCode } } : {};
  if (to !== intent.status) {
    await transition(manager, intent, to, { failed: Boolean(psp.error), action, data: { ...data, ...failure } });
  } else if (psp.error) {
    // Declined while still REQUIRES_PAYMENT_METHOD: no move, but a failed attempt to record.
    await saveChange(manager, intent, 'payment_intent.payment_failed', { ...data, ...failure });
  }
}
