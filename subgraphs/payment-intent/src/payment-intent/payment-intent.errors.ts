// Expected failures about payment intents, with API.md codes.
import { ErrorCode, HandoffError, invalidStateTransition, notFound, type TransitionRefusal } from '@handoff/shared';
import type { PaymentIntentStatus } from './payment-intent.enums.js';

export const paymentIntentNotFound = (id: string) => notFound(ErrorCode.PAYMENT_INTENT_NOT_FOUND, `Payment intent ${id} was not found.`);

/** A payment intent's refusal names the action, not the target status: "cannot be captured while PROCESSING". */
export const cannotFromStatusRefusal = (action: string, status: PaymentIntentStatus): TransitionRefusal => ({
  message: `A payment intent cannot ${action} while ${status}.`,
  reason: `payment_intent:${status.toLowerCase()}`,
});

export const cannotFromStatus = (action: string, status: PaymentIntentStatus) => {
  const { message, reason } = cannotFromStatusRefusal(action, status);
  return invalidStateTransition(message, reason);
};

export const noPaymentConnector = (merchantId: string) =>
  new HandoffError(ErrorCode.MERCHANT_NO_PAYMENT_CONNECTOR, `Merchant ${merchantId} has no connected payment processor.`);

export const checkoutCreateFailed = (why: string) =>
  new HandoffError(ErrorCode.CHECKOUT_CREATE_FAILED, `The payment processor refused the payment: ${why}`, {
    reason: `psp_rejected:${why.slice(0, 80)}`,
  });

/** A decline: the intent has recorded it (lastPaymentError) before this is thrown. */
export const paymentDeclined = (declineCode: string, message: string) =>
  new HandoffError(ErrorCode.PAYMENT_DECLINED, message, { reason: `payment_declined:${declineCode}` });

/** A PSP call that failed for another reason than a decline (e.g. the intent's state there). */
export const pspRequestFailed = (message: string) =>
  invalidStateTransition(`The payment processor refused the request: ${message}`, 'psp_rejected');
