// The delegated payment refusals (stable codes, shared/src/errors/codes.ts). Each is answered
// before anything is charged; the messages name the rule, never card data.
import { ErrorCode, HandoffError } from '@handoff/shared';

export const tokenNotFound = (id: string) =>
  new HandoffError(ErrorCode.DELEGATED_TOKEN_NOT_FOUND, `Delegated payment token ${id.slice(0, 80)} was not found.`);
export const tokenExpired = (expiresAt: Date) =>
  new HandoffError(ErrorCode.DELEGATED_TOKEN_EXPIRED, `The delegated token's allowance expired at ${expiresAt.toISOString()}; nothing was charged. Delegate a new one.`, { reason: 'allowance:expires_at' });
export const tokenUsed = () =>
  new HandoffError(ErrorCode.DELEGATED_TOKEN_USED, 'The delegated token already paid (its allowance is one_time); nothing was charged. Delegate a new one.', { reason: 'allowance:one_time' });
export const tokenWrongMerchant = () =>
  new HandoffError(ErrorCode.DELEGATED_TOKEN_WRONG_MERCHANT, "The delegated token's allowance is for another merchant than this checkout's; nothing was charged.", { reason: 'allowance:merchant_id' });
export const tokenWrongCheckout = () =>
  new HandoffError(ErrorCode.DELEGATED_TOKEN_WRONG_CHECKOUT, "The delegated token's allowance is for another checkout session; nothing was charged.", { reason: 'allowance:checkout_session_id' });
export const allowanceExceeded = (totalMinor: number, maxMinor: number, currency: string) =>
  new HandoffError(ErrorCode.ALLOWANCE_EXCEEDED, `The checkout's total (${totalMinor} ${currency} minor units) is above the allowance's max_amount (${maxMinor}); nothing was charged.`, {
    reason: 'allowance:max_amount',
  });
export const allowanceCurrency = (checkoutCurrency: string, allowanceCurrency: string) =>
  new HandoffError(ErrorCode.ALLOWANCE_EXCEEDED, `The checkout is in ${checkoutCurrency}, the allowance in ${allowanceCurrency}; nothing was charged.`, { reason: 'allowance:currency' });
