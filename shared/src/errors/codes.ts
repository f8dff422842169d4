// The stable error codes of API.md and typed helpers that throw them. Every expected failure
// is one of these; anything else is a bug and is masked at the edge (mask.ts).
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  RECOMMENDATION_NOT_FOUND: 'RECOMMENDATION_NOT_FOUND',
  OFFER_NOT_FOUND: 'OFFER_NOT_FOUND',
  MERCHANT_NOT_FOUND: 'MERCHANT_NOT_FOUND',
  CHECKOUT_SESSION_NOT_FOUND: 'CHECKOUT_SESSION_NOT_FOUND',
  PAYMENT_INTENT_NOT_FOUND: 'PAYMENT_INTENT_NOT_FOUND',
  CONVERSION_NOT_FOUND: 'CONVERSION_NOT_FOUND',
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  AGENT_NOT_FOUND: 'AGENT_NOT_FOUND',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  CHECKOUT_SESSION_EXPIRED: 'CHECKOUT_SESSION_EXPIRED',
  MERCHANT_NO_PAYMENT_CONNECTOR: 'MERCHANT_NO_PAYMENT_CONNECTOR',
  CHECKOUT_CREATE_FAILED: 'CHECKOUT_CREATE_FAILED',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** The merchant's risk rules (or its fraud provider) refuse the payment (`reason` fraud_block); the attempt is recorded, nothing is charged. */
  FRAUD_BLOCKED: 'FRAUD_BLOCKED',
  /** The merchant requires a verified identity (KYC) for this amount: start it (kyc/start), then pay. */
  KYC_REQUIRED: 'KYC_REQUIRED',
  /** A signed callback (fraud provider, KYC provider) whose signature does not verify; nothing is written. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  /** A promotion code that cannot apply (unknown, not started, ended, used up, per-customer limit, below its minimum); `reason` says which. */
  PROMOTION_INVALID: 'PROMOTION_INVALID',
  /** A merchant's pricing endpoint (tax, shipping, promotions) failed and its fallback is FAIL: retry later. */
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  /** The checkout session's calculation is missing or out of date (lines, address, shipping or promotions changed since): recalculate, then pay. */
  CALCULATION_STALE: 'CALCULATION_STALE',
  /** The checkout session's calculation has blockers (address_invalid, shipping_not_selected, promotion_invalid, …): fix them, recalculate, then pay. `blockers` lists them. */
  CHECKOUT_NOT_READY: 'CHECKOUT_NOT_READY',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** Another request with this idempotency key is still running: retry shortly (Stripe answers 409). */
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  INVALID_MILESTONE: 'INVALID_MILESTONE',
  /** The recommendation's checkout was already paid: one recommendation, one payable checkout. */
  RECOMMENDATION_ALREADY_CHECKED_OUT: 'RECOMMENDATION_ALREADY_CHECKED_OUT',
  /** The conversion's attribution code already earned a verified conversion: a code pays once. */
  ATTRIBUTION_CODE_ALREADY_REDEEMED: 'ATTRIBUTION_CODE_ALREADY_REDEEMED',
  /** The merchant already has a promotion with this code (codes are unique per merchant, ignoring case). */
  PROMOTION_CODE_TAKEN: 'PROMOTION_CODE_TAKEN',
  /** REST select-shipping: the carrier or service_code sent is not the chosen shipping option's. */
  SHIPPING_OPTION_MISMATCH: 'SHIPPING_OPTION_MISMATCH',
  /** A webhook endpoint URL on a private, loopback or link-local address (or a name resolving to one) while WEBHOOK_ALLOW_PRIVATE_URLS is off. */
  WEBHOOK_URL_NOT_ALLOWED: 'WEBHOOK_URL_NOT_ALLOWED',
  /** The merchant already has the most webhook endpoints it may have (16): delete one first. */
  WEBHOOK_ENDPOINT_LIMIT_REACHED: 'WEBHOOK_ENDPOINT_LIMIT_REACHED',
  /** A merchant's transaction limit or velocity rule refuses the payment (`reason` names the rule: limit:max_amount_per_payment, limit:max_amount_per_day, limit:max_payments_per_email_per_hour); nothing is charged or written. */
  TRANSACTION_LIMIT_EXCEEDED: 'TRANSACTION_LIMIT_EXCEEDED',
  /** The checkout session used the payment attempts its merchant allows (settings' maxPaymentAttempts); a merchant's `retry_payment` resolution gives it new ones. */
  PAYMENT_ATTEMPTS_EXCEEDED: 'PAYMENT_ATTEMPTS_EXCEEDED',
  /** The merchant may not use this feature: an admin turned its capability off (checkoutCapabilities; `reason` capability:<name>). Nothing is written. */
  CAPABILITY_DISABLED: 'CAPABILITY_DISABLED',
  /** An inventory reservation could not hold what its allocation strategy requires (`shortfalls` lists each short line: offerId, requested, available); nothing is held. */
  INVENTORY_SHORTFALL: 'INVENTORY_SHORTFALL',
  /** No inventory reservation with this id that the caller may see. */
  RESERVATION_NOT_FOUND: 'RESERVATION_NOT_FOUND',
  /** No gift card of this merchant has this code (a wrong code and another merchant's card answer the same). */
  GIFT_CARD_NOT_FOUND: 'GIFT_CARD_NOT_FOUND',
  /** The gift card cannot pay this checkout: `reason` gift_card:expired, gift_card:exhausted, gift_card:currency_mismatch, tender:nothing_due; nothing is held. */
  GIFT_CARD_INVALID: 'GIFT_CARD_INVALID',
  /** The customer's store credit cannot pay this amount: `reason` store_credit:insufficient, store_credit:no_customer, store_credit:currency_mismatch, tender:nothing_due; nothing is held. */
  STORE_CREDIT_UNAVAILABLE: 'STORE_CREDIT_UNAVAILABLE',
  /** A date range whose `from` is not before its `to`. */
  INVALID_DATE_RANGE: 'INVALID_DATE_RANGE',
  /** A date range longer than the operation allows (metrics and exports: 366 days): ask for less, or in parts. */
  DATE_RANGE_TOO_LARGE: 'DATE_RANGE_TOO_LARGE',
  /** No checkout export with this id that the caller may see (or its file has expired). */
  EXPORT_NOT_FOUND: 'EXPORT_NOT_FOUND',
  /** A download link whose signature does not verify (tampered, or not Handoff's): ask the export for a new link. */
  DOWNLOAD_LINK_INVALID: 'DOWNLOAD_LINK_INVALID',
  /** A download link past its expiry: ask the export for a new link. */
  DOWNLOAD_LINK_EXPIRED: 'DOWNLOAD_LINK_EXPIRED',
  /** Finalizing a checkout whose payment is neither captured nor (manual capture) authorised: pay first. Nothing is written. */
  CHECKOUT_NOT_PAID: 'CHECKOUT_NOT_PAID',
  /** No finalization job with this id that the caller may see. */
  FINALIZATION_NOT_FOUND: 'FINALIZATION_NOT_FOUND',
  /** No order (ord_…) with this id that the caller may see: another merchant's order is not found. */
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  /** No hosted checkout link with this id that the caller may see. */
  HOSTED_CHECKOUT_NOT_FOUND: 'HOSTED_CHECKOUT_NOT_FOUND',
  /**
   * GET /v1/checkout/redirect/return: the buyer's return carries no client secret, or one that does
   * not verify (tampered, another session's or intent's than the ids it names). Nothing is read or changed.
   */
  REDIRECT_RETURN_INVALID: 'REDIRECT_RETURN_INVALID',
  /** No delegated payment token (vt_…) with this id that the caller (the agent that delegated it) may use. */
  DELEGATED_TOKEN_NOT_FOUND: 'DELEGATED_TOKEN_NOT_FOUND',
  /** The delegated token's allowance expired (allowance.expires_at): delegate a new one. Nothing is charged. */
  DELEGATED_TOKEN_EXPIRED: 'DELEGATED_TOKEN_EXPIRED',
  /** The delegated token already paid (one_time): delegate a new one. Nothing is charged. */
  DELEGATED_TOKEN_USED: 'DELEGATED_TOKEN_USED',
  /** The delegated token's allowance names another merchant than the checkout session's. Nothing is charged. */
  DELEGATED_TOKEN_WRONG_MERCHANT: 'DELEGATED_TOKEN_WRONG_MERCHANT',
  /** The delegated token's allowance names another checkout session. Nothing is charged. */
  DELEGATED_TOKEN_WRONG_CHECKOUT: 'DELEGATED_TOKEN_WRONG_CHECKOUT',
  /** The checkout's current total is above the allowance's max_amount, or in another currency (`reason` allowance:max_amount, allowance:currency). Nothing is charged. */
  ALLOWANCE_EXCEEDED: 'ALLOWANCE_EXCEEDED',
  /** A recurring price that cannot be: `reason` recurring:interval (not DAY, WEEK, MONTH or YEAR), recurring:interval_count (not 1 to the interval's maximum), recurring:trial_days (not 0 to 365). Nothing is written. */
  INVALID_RECURRING_PRICE: 'INVALID_RECURRING_PRICE',
  /** A checkout session's lines do not make a subscription (issue 22): `reason` subscription:no_recurring_line, subscription:recurring_in_payment_mode, subscription:mixed_intervals, subscription:mixed_trials, subscription:trial_with_one_time_lines. Nothing is written. */
  SUBSCRIPTION_LINES_INVALID: 'SUBSCRIPTION_LINES_INVALID',
  /** No billing subscription (bsub_…) with this id that the caller may see: another merchant's is not found. */
  BILLING_SUBSCRIPTION_NOT_FOUND: 'BILLING_SUBSCRIPTION_NOT_FOUND',
  /** Canceling a billing subscription that is already CANCELED (issue 22 lifecycle). Nothing is written. */
  SUBSCRIPTION_ALREADY_CANCELED: 'SUBSCRIPTION_ALREADY_CANCELED',
  /** Resuming a billing subscription that is not PAUSED (issue 22 lifecycle). Nothing is written. */
  SUBSCRIPTION_NOT_PAUSED: 'SUBSCRIPTION_NOT_PAUSED',
  /** Changing a billing subscription's item to a price in another currency (a subscription has one currency). Nothing is written. */
  SUBSCRIPTION_CURRENCY_MISMATCH: 'SUBSCRIPTION_CURRENCY_MISMATCH',
  /** Pausing, resuming or changing the items of a subscription Stripe Billing bills (provider STRIPE): not sent to Stripe yet, so refused rather than diverging from what Stripe charges. Nothing is written. */
  SUBSCRIPTION_CHANGE_UNSUPPORTED: 'SUBSCRIPTION_CHANGE_UNSUPPORTED',
  /** A card-update link (issue 22) that is malformed, forged, or names no subscription of the merchant that signed it. Nothing is written. */
  CARD_UPDATE_LINK_INVALID: 'CARD_UPDATE_LINK_INVALID',
  /** A card-update link past its expiry: ask the merchant for a new one. Nothing is written. */
  CARD_UPDATE_LINK_EXPIRED: 'CARD_UPDATE_LINK_EXPIRED',
  /** A card-update link that already replaced a card (one use): ask the merchant for a new one. Nothing is written. */
  CARD_UPDATE_LINK_USED: 'CARD_UPDATE_LINK_USED',
  /** The new card was declined when saved for off-session charges (`reason` card_declined:<decline code>, authentication_required): the subscription keeps its card, the link stays usable. */
  CARD_UPDATE_DECLINED: 'CARD_UPDATE_DECLINED',
  /** A Stripe card update (issue 22) naming a SetupIntent that is not this link's: unknown at Stripe, of another Customer or subscription, made for another link, or not for off-session use (`reason` setup_intent:unknown, setup_intent:another_customer, setup_intent:another_subscription, setup_intent:another_link, setup_intent:usage). Nothing is written; the link stays usable. */
  CARD_UPDATE_SETUP_INVALID: 'CARD_UPDATE_SETUP_INVALID',
  /** advanceBillingClock where it may not run: `reason` billing_clock:production (the deployment runs with NODE_ENV=production), billing_clock:provider (Stripe bills the subscription). Nothing moves. */
  BILLING_CLOCK_UNAVAILABLE: 'BILLING_CLOCK_UNAVAILABLE',
  /** A merchant's dunning schedule that cannot be (issue 22): `reason` dunning:retry_count (not 1 to 10 retries), dunning:retry_day (not a whole number 1..60), dunning:not_increasing, dunning:final_status (not UNPAID or CANCELED). Nothing is written. */
  INVALID_DUNNING_SCHEDULE: 'INVALID_DUNNING_SCHEDULE',
  /** Portal login: the email or the password is wrong (one message for both, docs/portal-auth.md). */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Portal login: too many failed attempts for this email from this address; wait (Retry-After). */
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  /** A request authenticated by the portal's session cookie without its session's X-CSRF-Token. Nothing runs. */
  CSRF_INVALID: 'CSRF_INVALID',
  /** The portal user's role may not do this (an analyst's mutation; user or API key management by a non-owner). Nothing runs. */
  ROLE_FORBIDDEN: 'ROLE_FORBIDDEN',
  /** An invitation link that is unknown or already used. */
  INVITATION_INVALID: 'INVITATION_INVALID',
  /** An invitation link past its 7 days: ask the owner for a new one. */
  INVITATION_EXPIRED: 'INVITATION_EXPIRED',
  /** A portal password under 10 characters (or over 200). */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** The merchant already has a user with this email (compared ignoring case). */
  MERCHANT_USER_EXISTS: 'MERCHANT_USER_EXISTS',
  /** No user of the caller's merchant with this id. */
  MERCHANT_USER_NOT_FOUND: 'MERCHANT_USER_NOT_FOUND',
  /** No pending invitation of the caller's merchant with this id (never made, accepted, withdrawn or expired). Nothing is written. */
  INVITATION_NOT_FOUND: 'INVITATION_NOT_FOUND',
  /** No portal session of the caller's with this id. */
  PORTAL_SESSION_NOT_FOUND: 'PORTAL_SESSION_NOT_FOUND',
  /** The change would leave the merchant without an owner. Nothing is written. */
  LAST_OWNER: 'LAST_OWNER',
  /** Query limits (depth, aliases, cost, tokens, directives). */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** Malformed GraphQL (parse and validation failures) — Apollo's own codes, passed through. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  /** TRUSTED_DOCUMENTS=require: the operation (by hash or by text) is not in the gateway's trusted-documents manifest. Nothing runs. */
  OPERATION_NOT_TRUSTED: 'OPERATION_NOT_TRUSTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const knownCodes = new Set<string>(Object.values(ErrorCode));
export function isKnownErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && knownCodes.has(code);
}

export interface HandoffErrorExtensions {
  /** A finer reason, e.g. `payment_declined:insufficient_funds`. */
  reason?: string;
  /** The input field at fault, for BAD_USER_INPUT. */
  field?: string;
  [key: string]: unknown;
}

/** An expected failure with a stable code. Its message is safe to show a client. */
export class HandoffError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: HandoffErrorExtensions = {},
  ) {
    super(message, { extensions: { code, ...extensions } });
    this.name = 'HandoffError';
  }
}

export const unauthenticated = (message = 'Missing, unknown or revoked API key.') =>
  new HandoffError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You may not do this.') => new HandoffError(ErrorCode.FORBIDDEN, message);
export const badUserInput = (field: string, message: string) =>
  new HandoffError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
export const notFound = (code: ErrorCode, message: string) => new HandoffError(code, message);
export const invalidStateTransition = (message: string, reason?: string) =>
  new HandoffError(ErrorCode.INVALID_STATE_TRANSITION, message, reason ? { reason } : {});
export const versionConflict = (expected: number, actual: number) =>
  new HandoffError(ErrorCode.VERSION_CONFLICT, `Expected version ${expected}, but it is at ${actual}.`);
export const idempotencyKeyInUse = () =>
  new HandoffError(
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    'Another request with this idempotency key is still in progress; retry shortly.',
  );
export const idempotencyKeyReused = () =>
  new HandoffError(
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
    'This idempotency key was already used with different input.',
  );
