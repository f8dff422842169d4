// The calculation's errors, each with a stable code.
import { ErrorCode, HandoffError } from '@handoff/shared';
import type { ProviderConcern } from './calculation.types.js';

/** An HTTP provider failed and its fallback is FAIL: nothing was written; retry later. */
export const providerUnavailable = (concern: ProviderConcern, reason: string) =>
  new HandoffError(ErrorCode.PROVIDER_UNAVAILABLE, `The merchant's ${concern} service did not answer usably (${reason}); try again shortly.`, {
    reason: `provider:${concern}`,
    retryable: true,
  });

/** A promotion cannot be redeemed (reason: exhausted, customer_limit, …). */
export const promotionInvalidError = (message: string, reason: string, promotionId?: string) =>
  new HandoffError(ErrorCode.PROMOTION_INVALID, message, { reason: `promotion:${reason}`, ...(promotionId ? { promotionId } : {}) });

/** The merchant subgraph could not give the pricing configuration: retryable. */
export const pricingConfigUnavailable = (why: string) =>
  new HandoffError(ErrorCode.SERVICE_UNAVAILABLE, `The merchant's pricing configuration could not be read (${why}); try again shortly.`, {
    reason: 'merchant_pricing:unavailable',
    retryable: true,
  });

/** The HTTP provider did not give a usable answer: `reason` is safe to record in the calculation. */
export class ProviderFailure extends Error {
  constructor(
    readonly concern: ProviderConcern,
    readonly reason: string,
  ) {
    super(`${concern} provider: ${reason}`);
    this.name = 'ProviderFailure';
  }
}
