// A bound intent's amount follows its checkout session's calculation (issue 18, part B2). Before
// confirming, checkout-session answers what the session must charge (the grand total of its
// current calculation, and its capture mode); when that is not what the intent holds, the
// intent is updated first, as Stripe lets a PaymentIntent's amount be updated while it
// requires a payment method or confirmation:
//   - at the PSP a payment for the new terms is created (its idempotency key names the session
//     and the terms, so a retry, or a return to earlier terms, finds the same PSP payment); the
//     earlier PSP payment was never confirmed and is left as it is: no money moved on it;
//   - the intent row takes the new amount, capture mode and PSP payment id (versioned), and
//     `payment_intent.amount_updated` goes to its timeline and outbox; the ledger's checkout
//     total (checkoutTotal) is the new amount from then on.
// Runs inside the confirming command's transaction, under the intent's row lock.
import { ErrorCode, HandoffError, money } from '@handoff/shared';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { PspRequestRejected, type PspConnector } from '../psp/connector.js';
import type { CheckoutPaymentTerms } from '../ports/checkout-session.port.js';
import { announce } from './payment-intent.changes.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { CaptureMode } from './payment-intent.enums.js';
import { pspRequestFailed } from './payment-intent.errors.js';

export const AMOUNT_UPDATED_TOPIC = 'payment_intent.amount_updated';

/** The PSP idempotency key of a session's payment for given terms. */
export function boundPaymentKey(checkoutSessionId: string, amountMinor: number, currency: string, captureMode: string): string {
  const h = createHash('sha256').update(`${checkoutSessionId}\n${amountMinor}\n${currency}\n${captureMode}`).digest('hex').slice(0, 40);
  return `handoff-checkout-terms-${h}`;
}

export async function rebindToCheckout(manager: EntityManager, intent: PaymentIntentEntity, connector: PspConnector, terms: CheckoutPaymentTerms): Promise<void> {
  const amount = money(terms.amountMinor, terms.currency);
  if (amount.currency !== intent.currency) {
    throw new HandoffError(ErrorCode.INVALID_STATE_TRANSITION, `The checkout session charges ${amount.currency}, this intent ${intent.currency}.`, {
      reason: 'payment_intent:currency_changed',
    });
  }
  if (amount.amountMinor < 1) {
    throw new HandoffError(ErrorCode.INVALID_STATE_TRANSITION, 'The checkout session has nothing to charge.', { reason: 'payment_intent:nothing_to_charge' });
  }
  const captureMode = terms.captureMode === 'MANUAL' ? CaptureMode.MANUAL : CaptureMode.AUTOMATIC;
  if (amount.amountMinor === intent.amountMinor && captureMode === intent.captureMode) return;
  let psp;
  try {
    psp = await connector.createPayment(
      { manager },
      {
        merchantId: intent.merchantId,
        amountMinor: amount.amountMinor,
        currency: amount.currency,
        captureMode,
        metadata: intent.metadata as Record<string, string>,
        description: intent.description,
        idempotencyKey: boundPaymentKey(intent.checkoutSessionId!, amount.amountMinor, amount.currency, captureMode),
      },
    );
  } catch (err) {
    if (err instanceof PspRequestRejected) throw pspRequestFailed(err.message);
    throw err;
  }
  const before = { amountMinor: intent.amountMinor, captureMode: intent.captureMode, providerPaymentId: intent.providerPaymentId };
  const result = await manager.update(
    PaymentIntentEntity,
    { id: intent.id, version: intent.version },
    { amountMinor: amount.amountMinor, captureMode, providerPaymentId: psp.providerPaymentId, version: intent.version + 1, updatedAt: new Date() },
  );
  if (result.affected !== 1) throw new HandoffError(ErrorCode.VERSION_CONFLICT, 'The payment intent changed meanwhile; try again.');
  Object.assign(intent, { amountMinor: amount.amountMinor, captureMode, providerPaymentId: psp.providerPaymentId, version: intent.version + 1 });
  await announce(manager, intent, AMOUNT_UPDATED_TOPIC, { previous: before, calculationId: terms.calculationId });
}
