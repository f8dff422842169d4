// Finalization's expected failures, each with a stable code (seed 003 §8).
import { ErrorCode, HandoffError, invalidStateTransition, notFound } from '@handoff/shared';

export const checkoutNotPaid = (id: string, paymentStatus: string) =>
  new HandoffError(
    ErrorCode.CHECKOUT_NOT_PAID,
    `Checkout session ${id} is not paid (its payment is ${paymentStatus}): it can be finalized once the payment is captured, or authorised for a manual capture.`,
    { reason: `payment:${paymentStatus}` },
  );

export const finalizationNotFound = (id: string) => notFound(ErrorCode.FINALIZATION_NOT_FOUND, `Finalization job not found: ${id}.`);

export const sessionNotFinalizable = (id: string, status: string) =>
  invalidStateTransition(`Checkout session ${id} is ${status}: it cannot be finalized.`, `checkout_session:${status}->finalized`);

export const orderRolledBack = (id: string, status: string) =>
  invalidStateTransition(`The order of checkout session ${id} is ${status.toLowerCase()}: it cannot be finalized again.`, `order:${status}->COMPLETED`);

export const nothingToRollBack = (id: string) =>
  invalidStateTransition(`Checkout session ${id} has no finalized order to roll back.`, 'order:none->ROLLED_BACK');
