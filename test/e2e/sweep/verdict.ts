// What a response to bad input may be: a GraphQL error whose code is one of API.md's (or Apollo's
// request-validation family), or a success; never a 5xx, INTERNAL_SERVER_ERROR, a stack, SQL or
// an internal URL.

/** API.md's codes, the specific not-found codes, and Apollo's parse/validation family. */
export const ALLOWED_CODES = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'SESSION_NOT_FOUND', 'RECOMMENDATION_NOT_FOUND',
  'OFFER_NOT_FOUND', 'MERCHANT_NOT_FOUND', 'CHECKOUT_SESSION_NOT_FOUND', 'PAYMENT_INTENT_NOT_FOUND', 'CONVERSION_NOT_FOUND',
  'API_KEY_NOT_FOUND', 'AGENT_NOT_FOUND', 'SESSION_EXPIRED', 'CHECKOUT_SESSION_EXPIRED', 'MERCHANT_NO_PAYMENT_CONNECTOR',
  'CHECKOUT_CREATE_FAILED', 'INVALID_STATE_TRANSITION', 'VERSION_CONFLICT', 'PAYMENT_DECLINED', 'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE', 'INVALID_MILESTONE', 'QUERY_TOO_COMPLEX', 'RECOMMENDATION_ALREADY_CHECKED_OUT', 'ATTRIBUTION_CODE_ALREADY_REDEEMED',
  'PROMOTION_CODE_TAKEN', 'INVALID_DATE_RANGE', 'DATE_RANGE_TOO_LARGE', 'RESERVATION_NOT_FOUND', 'FINALIZATION_NOT_FOUND', 'ORDER_NOT_FOUND',
  'HOSTED_CHECKOUT_NOT_FOUND', 'EXPORT_NOT_FOUND', 'INVITATION_NOT_FOUND',
  'DELEGATED_TOKEN_NOT_FOUND', 'DELEGATED_TOKEN_EXPIRED', 'DELEGATED_TOKEN_USED', 'DELEGATED_TOKEN_WRONG_MERCHANT', 'DELEGATED_TOKEN_WRONG_CHECKOUT', 'ALLOWANCE_EXCEEDED',
  'INVALID_DUNNING_SCHEDULE', 'BILLING_SUBSCRIPTION_NOT_FOUND', 'SUBSCRIPTION_ALREADY_CANCELED', 'BILLING_CLOCK_UNAVAILABLE', 'SUBSCRIPTION_NOT_PAUSED', 'SUBSCRIPTION_CURRENCY_MISMATCH', 'SUBSCRIPTION_CHANGE_UNSUPPORTED',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST',
]);
/** Codes type checking of the request answers with (the resolver never ran). */
export const TYPE_LEVEL_CODES = new Set(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);

const LEAKS: Array<[string, RegExp]> = [
  ['stack', /\n?\s{4}at [\w.<]/],
  ['sql', /\b(SELECT|INSERT|UPDATE|DELETE) [^\n]{0,80}\b(FROM|INTO|SET)\b/],
  ['sql-relation', /relation "/],
  ['sql-constraint', /violates/],
  ['internal-url', /127\.0\.0\.1|localhost:4|\/graphql["\s]/],
];

export interface Raw { status: number; text: string }
export interface Verdict { ok: boolean; outcome: 'success' | 'error'; codes: string[]; problem?: string }

/** Judges one raw HTTP response; `typeLevel` cases must be refused before any resolver runs. */
export function judge(raw: Raw, typeLevel: boolean, internalUrls: string[] = []): Verdict {
  const fail = (problem: string, codes: string[] = []): Verdict => ({ ok: false, outcome: 'error', codes, problem });
  if (raw.status >= 500) return fail(`HTTP ${raw.status}: ${raw.text.slice(0, 300)}`);
  for (const [what, re] of LEAKS) if (re.test(raw.text)) return fail(`leaks ${what}: ${raw.text.slice(0, 300)}`);
  for (const url of internalUrls) if (raw.text.includes(url)) return fail(`leaks internal url ${url}`);
  let body: { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  try {
    body = JSON.parse(raw.text);
  } catch {
    return fail(`HTTP ${raw.status}, not JSON: ${raw.text.slice(0, 200)}`);
  }
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? '(none)');
  const bad = codes.filter((c) => !ALLOWED_CODES.has(c));
  if (bad.length) return fail(`code ${bad.join(', ')}: ${(body.errors ?? []).map((e) => e.message).join(' | ').slice(0, 300)}`, codes);
  if (!codes.length) {
    if (typeLevel) return { ok: false, outcome: 'success', codes, problem: `accepted a value type checking must refuse: ${raw.text.slice(0, 200)}` };
    return { ok: true, outcome: 'success', codes };
  }
  if (typeLevel && !codes.every((c) => TYPE_LEVEL_CODES.has(c))) return fail(`type-level case answered ${codes.join(', ')}`, codes);
  return { ok: true, outcome: 'error', codes };
}

export async function post(url: string, key: string, query: string, variables: Record<string, unknown>): Promise<Raw> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, text: await res.text() };
}

/** Codes that may refuse an oversized value before its bound is checked: the caller may not act at all. */
const REFUSED_FIRST = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

/**
 * An oversized value (100 kB string, 100 kB JSON) must be refused: BAD_USER_INPUT, or for an id a
 * not-found (an error, or null from a nullable query). A success that took it, or any other code,
 * is a problem. `field` is the root field, to read a query's result.
 */
export function judgeHuge(raw: Raw, huge: 'text' | 'id' | 'json', field: string, kind: string): string | undefined {
  let body: { data?: Record<string, unknown> | null; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  try {
    body = JSON.parse(raw.text);
  } catch {
    return undefined; // judge() already names it
  }
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? '(none)');
  const notFound = (c: string) => c === 'NOT_FOUND' || c.endsWith('_NOT_FOUND');
  if (!codes.length) {
    if (huge === 'id' && kind === 'query' && body.data?.[field] === null) return undefined;
    return `accepted an oversized ${huge} value: ${raw.text.slice(0, 200)}`;
  }
  const ok = codes.every((c) => c === 'BAD_USER_INPUT' || REFUSED_FIRST.has(c) || (huge === 'id' && notFound(c)));
  return ok ? undefined : `refused an oversized ${huge} value with ${codes.join(', ')} instead of BAD_USER_INPUT: ${(body.errors ?? []).map((e) => e.message).join(' | ').slice(0, 200)}`;
}
