// What every ACP route (/acp/{merchantId}/checkout_sessions…) does around its operation, as the
// Agentic Commerce Protocol's spec (2026-04-17) says: the flat error shape
// `{ type, code, message, param? }` (type invalid_request | processing_error | service_unavailable),
// the API-Version header (400 missing_api_version / unsupported_api_version with
// supported_versions), Request-Id echoed, and the optional request signature: `Signature` is
// base64url(HMAC-SHA256(the caller's API key, `<Timestamp>.<raw body>`)) with an RFC 3339
// `Timestamp` at most 5 minutes from now (docs/acp.md). Handoff's error codes map to ACP's here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { restHttpStatus } from '@handoff/shared/errors/http-status';

export const ACP_VERSION = '2026-04-17';
export const SUPPORTED_VERSIONS = [ACP_VERSION];
const SIGNATURE_SKEW_MS = 5 * 60 * 1000;

export type AcpErrorType = 'invalid_request' | 'processing_error' | 'service_unavailable';

export interface AcpError {
  type: AcpErrorType;
  code: string;
  message: string;
  param?: string;
  supported_versions?: string[];
}

/** What a route answers: a status, a JSON body and headers (stored for an idempotent replay). */
export interface AcpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const acpError = (status: number, code: string, message: string, param?: string, extra: Partial<AcpError> = {}): AcpAnswer => ({
  status,
  body: { type: status >= 500 ? (status === 503 ? 'service_unavailable' : 'processing_error') : 'invalid_request', code, message, ...(param ? { param } : {}), ...extra },
});

export const invalid = (param: string, message: string): AcpAnswer => acpError(400, 'invalid', message, param);

export function send(res: Response, answer: AcpAnswer): void {
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  res.status(answer.status).json(answer.body);
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? undefined;
}

/** The API-Version header checked: undefined when supported, else the 400 to answer. */
export function checkVersion(req: Request): AcpAnswer | undefined {
  const v = header(req, 'api-version');
  if (v === undefined || v.trim() === '') {
    return acpError(400, 'missing_api_version', 'The API-Version header is required.', undefined, { supported_versions: SUPPORTED_VERSIONS });
  }
  if (!SUPPORTED_VERSIONS.includes(v.trim())) {
    return acpError(400, 'unsupported_api_version', `API-Version ${v.slice(0, 40)} is not supported.`, undefined, { supported_versions: SUPPORTED_VERSIONS });
  }
  return undefined;
}

/** Echo of Request-Id (when sane: 1 to 200 printable ASCII characters). */
export function echoRequestId(req: Request, res: Response): void {
  const id = header(req, 'request-id');
  if (id !== undefined && /^[\x21-\x7e]{1,200}$/.test(id)) res.setHeader('Request-Id', id);
}

/** The request signature, when one is sent: undefined when absent or valid, else the 401 to answer. */
export function checkSignature(req: Request, rawBody: Buffer | undefined, now = Date.now()): AcpAnswer | undefined {
  const signature = header(req, 'signature');
  if (signature === undefined) return undefined;
  const timestamp = header(req, 'timestamp');
  const at = timestamp ? Date.parse(timestamp) : NaN;
  if (!timestamp || !/^\d{4}-\d{2}-\d{2}T/.test(timestamp) || Number.isNaN(at)) {
    return acpError(401, 'invalid_signature', 'A signed request needs an RFC 3339 Timestamp header.', undefined);
  }
  if (Math.abs(now - at) > SIGNATURE_SKEW_MS) return acpError(401, 'invalid_signature', 'The request Timestamp is outside the allowed clock skew (5 minutes).');
  const key = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1]?.trim() ?? '';
  const expected = createHmac('sha256', key).update(`${timestamp}.`).update(rawBody ?? Buffer.alloc(0)).digest();
  const given = Buffer.from(signature.trim().replace(/=+$/, ''), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return acpError(401, 'invalid_signature', 'The request Signature does not match.');
  return undefined;
}

// A Handoff input path in the ACP request's names, as an RFC 9535 JSONPath.
const PARAMS: Array<[RegExp, string]> = [
  [/^input\.currency$/, '$.currency'],
  [/^input\.lineItems\[(\d+)\]\.offerId$/, '$.line_items[$1].id'],
  [/^(input\.)?lineItems\[(\d+)\]\.quantity$/, '$.line_items'],
  [/^(input\.)?lineItems.*$/, '$.line_items'],
  [/^address\.(line1)$/, '$.fulfillment_details.address.line_one'],
  [/^address\.(line2)$/, '$.fulfillment_details.address.line_two'],
  [/^address\.postalCode$/, '$.fulfillment_details.address.postal_code'],
  [/^address\.(\w+)$/, '$.fulfillment_details.address.$1'],
  [/^customer\.email$/, '$.buyer.email'],
  [/^customer\.phone$/, '$.buyer.phone_number'],
  [/^selection.*$/, '$.selected_fulfillment_options[0].option_id'],
  [/^code$/, '$.discounts.codes'],
];

export function paramOf(field: unknown): string | undefined {
  if (typeof field !== 'string') return undefined;
  for (const [re, to] of PARAMS) if (re.test(field)) return field.replace(re, to);
  return undefined;
}

/** A GraphQL failure in ACP's shape (the Handoff code's HTTP status; its code as ACP's, lower case). */
export function fromGraphQL(error: GraphQLFormattedError | undefined): AcpAnswer {
  const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  const reason = typeof error?.extensions?.reason === 'string' ? error.extensions.reason : '';
  const message = error?.message ?? 'Unexpected error.';
  if (code === 'BAD_USER_INPUT') return acpError(400, 'invalid', message, paramOf(error?.extensions?.field));
  if (code === 'CHECKOUT_SESSION_NOT_FOUND') return acpError(404, 'not_found', 'Checkout session not found.');
  if (code === 'OFFER_NOT_FOUND') return acpError(400, 'invalid', message, '$.line_items');
  if (code === 'MERCHANT_NOT_FOUND' || code === 'MERCHANT_NO_PAYMENT_CONNECTOR') return acpError(404, 'merchant_not_found', message);
  if (code === 'CHECKOUT_SESSION_EXPIRED') return acpError(409, 'session_expired', message);
  // The payment intent could not be made because payment-intent did not answer: retry (same key).
  if (code === 'CHECKOUT_CREATE_FAILED' && reason === 'payment_service_unavailable') return acpError(503, 'service_unavailable', message);
  if (code === 'INVALID_STATE_TRANSITION' && /COMPLETE/.test(reason)) return acpError(409, 'session_completed', message);
  if (code === 'INVALID_STATE_TRANSITION' && /CANCELED/.test(reason)) return acpError(409, 'session_canceled', message);
  const status = restHttpStatus(code);
  if (status >= 500) return acpError(status === 503 ? 503 : 500, status === 503 ? 'service_unavailable' : 'processing_error', status === 503 ? message : 'Unexpected error.');
  return acpError(status, code.toLowerCase(), message, paramOf(error?.extensions?.field));
}
