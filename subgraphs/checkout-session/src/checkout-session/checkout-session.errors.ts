// Expected failures about checkout sessions, with API.md codes.
import { ErrorCode, HandoffError, notFound } from '@handoff/shared';

export const checkoutSessionNotFound = (id: string) =>
  notFound(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session not found: ${id}.`);
export const noPaymentConnector = (merchantId: string) =>
  new HandoffError(ErrorCode.MERCHANT_NO_PAYMENT_CONNECTOR, `Merchant has no connected payment processor: ${merchantId}.`);
export const recommendationAlreadyCheckedOut = (recommendationId: string) =>
  new HandoffError(
    ErrorCode.RECOMMENDATION_ALREADY_CHECKED_OUT,
    `Recommendation already checked out and paid: ${recommendationId}.`,
    { reason: 'recommendation:paid' },
  );
