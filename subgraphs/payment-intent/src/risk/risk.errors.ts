// Expected failures of risk: each with its stable code (shared/src/errors/codes.ts).
import { badUserInput, ErrorCode, HandoffError, notFound, type Principal } from '@handoff/shared';

export const fraudBlocked = (message = "The payment was refused by the merchant's risk rules.") => new HandoffError(ErrorCode.FRAUD_BLOCKED, message, { reason: 'fraud_block' });

export const kycRequired = (checkoutSessionId: string | null, amount: string) =>
  new HandoffError(ErrorCode.KYC_REQUIRED, `The merchant requires a verified identity for payments above ${amount}: start the verification (kyc/start) and pay once it is verified.`, {
    reason: 'kyc:required',
    ...(checkoutSessionId ? { checkoutSessionId } : {}),
  });

/** An admin turned the merchant's capability off (checkoutCapabilities): nothing written. */
export const capabilityDisabled = (capability: 'three_d_secure') =>
  new HandoffError(ErrorCode.CAPABILITY_DISABLED, 'A CHALLENGE rule or threshold forces 3-D Secure, which this merchant may not use (its threeDSecure capability is off).', {
    reason: `capability:${capability}`,
  });

export const merchantNotFound = (merchantId: string) => notFound(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${merchantId} was not found.`);
export const checkoutSessionNotFound = (id: string) => notFound(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session ${id} was not found.`);
export const manualReviewNotFound = (checkoutSessionId: string) =>
  notFound(ErrorCode.NOT_FOUND, `Checkout session ${checkoutSessionId} has no payment in manual review.`);
export const kycNotFound = (id: string) => notFound(ErrorCode.NOT_FOUND, `KYC verification ${id} was not found.`);

/**
 * The merchant a call is about: a merchant key's own (naming another is MERCHANT_NOT_FOUND, as if
 * it did not exist); an admin names it.
 */
export function merchantOf(principal: Principal, merchantId: string | null | undefined): string {
  if (principal.kind === 'MERCHANT') {
    if (merchantId && merchantId !== principal.merchantId) throw merchantNotFound(merchantId);
    return principal.merchantId;
  }
  if (!merchantId) throw badUserInput('merchantId', 'is required with an admin key.');
  return merchantId;
}

export const kycProviderUnavailable = (why: string) =>
  new HandoffError(ErrorCode.INVALID_STATE_TRANSITION, `Identity verification is not available for this merchant: ${why}`, { reason: 'kyc:provider_unavailable' });
