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
// An agent's checkout: the terms carry the AAP code binding the amount (checkout-session re-issues
// it when the amount changed). When it is not the intent's aap_code, the new PSP payment and the
// intent's metadata carry it (and the aap_* ids its claims name), so the paid payment's code binds
// what was paid and the ledger verifies it. The code is part of the PSP idempotency key: one amount always gives one code, so a
// return to earlier terms still finds the same PSP payment.
// Runs inside the confirming command's transaction, under the intent's row lock.
import { attributionMetadataOfCode, ErrorCode, HandoffError, money } from '@handoff/shared';
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
export function boundPaymentKey(checkoutSessionId: string, amountMinor: number, currency: string, captureMode: string, aapCode?: string | null): string {
  const terms = `${checkoutSessionId}\n${amountMinor}\n${currency}\n${captureMode}${aapCode ? `\n${aapCode}` : ''}`;
  const h = createHash('sha256').update(terms).digest('hex').slice(0, 40);
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
  // A capture mode the merchant chose for the intent (createPaymentIntent) stands over the session's.
  const captureMode = intent.captureModePinned ? intent.captureMode : terms.captureMode === 'MANUAL' ? CaptureMode.MANUAL : CaptureMode.AUTOMATIC;
  const current = (intent.metadata ?? {}) as Record<string, string>;
  const aapCode = terms.aapCode ?? null;
  // All six aap_* keys from the code's claims: a session attributed after its intent was created
  // (attachCheckoutAttribution) names its recommendation only in the code.
  const metadata = aapCode && current.aap_code !== aapCode ? { ...current, ...(attributionMetadataOfCode(aapCode) ?? { aap_code: aapCode }) } : current;
  if (amount.amountMinor === intent.amountMinor && captureMode === intent.captureMode && metadata === current) return;
  let psp;
  try {
    psp = await connector.createPayment(
      { manager },
      {
        merchantId: intent.merchantId,
        amountMinor: amount.amountMinor,
        currency: amount.currency,
        captureMode,
        metadata,
        description: intent.description,
        idempotencyKey: boundPaymentKey(intent.checkoutSessionId!, amount.amountMinor, amount.currency, captureMode, aapCode),
      },
    );
  } catch (err) {
    if (err instanceof PspRequestRejected) throw pspRequestFailed(err.message);
    throw err;
  }
  const before = { amountMinor: intent.amountMinor, captureMode: intent.captureMode, providerPaymentId: intent.providerPaymentId };
  const changes = { amountMinor: amount.amountMinor, captureMode, providerPaymentId: psp.providerPaymentId, ...(metadata !== current ? { metadata } : {}) };
  const result = await manager.update(PaymentIntentEntity, { id: intent.id, version: intent.version }, { ...changes, version: intent.version + 1, updatedAt: new Date() });
  if (result.affected !== 1) throw new HandoffError(ErrorCode.VERSION_CONFLICT, 'The payment intent changed meanwhile; try again.');
  Object.assign(intent, changes, { version: intent.version + 1 });
  await announce(manager, intent, AMOUNT_UPDATED_TOPIC, { previous: before, calculationId: terms.calculationId });
}
