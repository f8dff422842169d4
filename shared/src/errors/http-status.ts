// The HTTP status of every stable error code on Handoff's REST edges (seed 000/001/002/003 routes,
// ACP), written once. The table is a Record over ErrorCode, so a new code does not compile until
// it has a status here. The hosted page's JSON API keeps its own, narrower policy (checkout-api.ts).
import { ErrorCode } from './codes.js';

export const REST_HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  RECOMMENDATION_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  MERCHANT_NOT_FOUND: 404,
  CHECKOUT_SESSION_NOT_FOUND: 404,
  PAYMENT_INTENT_NOT_FOUND: 404,
  CONVERSION_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  SESSION_EXPIRED: 410,
  CHECKOUT_SESSION_EXPIRED: 410,
  MERCHANT_NO_PAYMENT_CONNECTOR: 503,
  CHECKOUT_CREATE_FAILED: 502,
  INVALID_STATE_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  PAYMENT_DECLINED: 402,
  PROMOTION_INVALID: 422,
  PROVIDER_UNAVAILABLE: 503,
  CALCULATION_STALE: 409,
  CHECKOUT_NOT_READY: 422,
  IDEMPOTENCY_KEY_REUSED: 409,
  // Stripe answers a concurrent use of a key 409: the client retries after the first finishes.
  IDEMPOTENCY_KEY_IN_USE: 409,
  INVALID_MILESTONE: 422,
  RECOMMENDATION_ALREADY_CHECKED_OUT: 409,
  ATTRIBUTION_CODE_ALREADY_REDEEMED: 409,
  PROMOTION_CODE_TAKEN: 409,
  SHIPPING_OPTION_MISMATCH: 422,
  QUERY_TOO_COMPLEX: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  PERSISTED_QUERY_NOT_FOUND: 400,
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
  OPERATION_RESOLUTION_FAILURE: 400,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** A code's REST status; a code Handoff does not know (a bug upstream) is 500. */
export function restHttpStatus(code: string | undefined): number {
  return code && Object.prototype.hasOwnProperty.call(REST_HTTP_STATUS, code) ? REST_HTTP_STATUS[code as ErrorCode] : 500;
}
