// ACP's delegate_payment at the gateway (issue 21 item 2), a thin adapter over payment-intent's
// `delegatePayment` mutation:
//   POST /acp/:merchantId/agentic_commerce/delegate_payment   → 201 { id: vt_…, created, metadata }
// As the spec (openapi.delegate_payment.yaml, rfc.delegate_payment.md) says: an agent key
// (Bearer), API-Version, Idempotency-Key required (replay with Idempotent-Replayed: true, 409
// idempotency_in_flight with Retry-After, 422 idempotency_conflict), Request-Id echoed, the
// optional Signature/Timestamp, errors as flat { type, code, message, param? } objects; an invalid
// field is 400 invalid_card with its JSONPath. The allowance's merchant_id must be the path's.
// The card number and CVC are never logged nor stored here: the idempotency fingerprint names them
// by an HMAC (the gateway's internal secret).
import { createHmac } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayRouteDeps } from '../route-deps.js';
import { requestIdOf } from '../http/request-id.js';
import { acpError, checkSignature, checkVersion, echoRequestId, fromGraphQL, send, type AcpAnswer } from './acp-http.js';
import { idempotent } from './acp-idempotency.js';

export const DELEGATE_PAYMENT_PATH = '/acp/:merchantId/agentic_commerce/delegate_payment';

const DELEGATE = `mutation AcpDelegatePayment($input: DelegatePaymentInput!, $key: String) {
  delegatePayment(input: $input, idempotencyKey: $key) { token { id created metadata } replayed }
}`;

type RawRequest = Request & { rawBody?: Buffer };
const json = express.json({ limit: '32kb', type: () => true, verify: (req, _res, buf) => ((req as RawRequest).rawBody = Buffer.from(buf)) });

/** A field of the request that is not what the spec says: 400 invalid_card at its JSONPath. */
class Problem extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}
const bad = (param: string, message: string): AcpAnswer => acpError(400, 'invalid_card', message, param);

const CARD: Record<string, [string, 'string' | 'boolean' | 'strings' | 'map']> = {
  type: ['type', 'string'],
  card_number_type: ['cardNumberType', 'string'],
  virtual: ['virtual', 'boolean'],
  number: ['number', 'string'],
  exp_month: ['expMonth', 'string'],
  exp_year: ['expYear', 'string'],
  name: ['name', 'string'],
  cvc: ['cvc', 'string'],
  cryptogram: ['cryptogram', 'string'],
  eci_value: ['eciValue', 'string'],
  checks_performed: ['checksPerformed', 'strings'],
  iin: ['iin', 'string'],
  display_card_funding_type: ['displayCardFundingType', 'string'],
  display_wallet_type: ['displayWalletType', 'string'],
  display_brand: ['displayBrand', 'string'],
  display_last4: ['displayLast4', 'string'],
  metadata: ['metadata', 'map'],
};
const CARD_REQUIRED = ['type', 'card_number_type', 'number', 'display_card_funding_type', 'metadata'];
const ALLOWANCE: Record<string, [string, 'string' | 'integer']> = {
  reason: ['reason', 'string'],
  max_amount: ['maxAmount', 'integer'],
  currency: ['currency', 'string'],
  checkout_session_id: ['checkoutSessionId', 'string'],
  merchant_id: ['merchantId', 'string'],
  expires_at: ['expiresAt', 'string'],
};
const ADDRESS: Record<string, string> = { name: 'name', line_one: 'lineOne', line_two: 'lineTwo', city: 'city', state: 'state', country: 'country', postal_code: 'postalCode' };
const ADDRESS_REQUIRED = ['name', 'line_one', 'city', 'state', 'country', 'postal_code'];

function object(v: unknown, param: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Problem(param, `${param} must be an object.`);
  return v as Record<string, unknown>;
}

function typed(v: unknown, kind: string, param: string): unknown {
  const ok =
    (kind === 'string' && typeof v === 'string' && v.length <= 2000) ||
    (kind === 'boolean' && typeof v === 'boolean') ||
    (kind === 'integer' && Number.isSafeInteger(v)) ||
    (kind === 'strings' && Array.isArray(v) && v.length <= 10 && v.every((s) => typeof s === 'string' && s.length <= 40)) ||
    (kind === 'map' && !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string'));
  if (!ok) throw new Problem(param, `${param} must be ${kind === 'map' ? 'an object of strings' : kind === 'strings' ? 'an array of strings' : `a${kind === 'integer' ? 'n' : ''} ${kind}`}.`);
  return v;
}

/** Maps the spec's snake_case fields onto `shape`'s names, refusing unknown and missing ones. */
function fields(src: Record<string, unknown>, at: string, shape: Record<string, [string, string]>, required: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    const spec = shape[k];
    if (!spec) throw new Problem(`${at}.${k}`, `${at}.${k} is not a field of this request.`);
    if (v === null) continue;
    out[spec[0]] = typed(v, spec[1], `${at}.${k}`);
  }
  for (const k of required) if (src[k] === undefined || src[k] === null) throw new Problem(`${at}.${k}`, `${at}.${k} is required.`);
  return out;
}

/** The request body as DelegatePaymentInput. */
export function delegateInput(body: unknown): Record<string, unknown> {
  const b = object(body, '$');
  for (const k of Object.keys(b)) if (!['payment_method', 'allowance', 'billing_address', 'risk_signals', 'metadata'].includes(k)) throw new Problem(`$.${k}`, `$.${k} is not a field of this request.`);
  for (const k of ['payment_method', 'allowance', 'risk_signals', 'metadata']) if (b[k] === undefined || b[k] === null) throw new Problem(`$.${k}`, `$.${k} is required.`);
  const paymentMethod = fields(object(b.payment_method, '$.payment_method'), '$.payment_method', CARD, CARD_REQUIRED);
  const allowance = fields(object(b.allowance, '$.allowance'), '$.allowance', ALLOWANCE, Object.keys(ALLOWANCE));
  const address = b.billing_address === undefined || b.billing_address === null ? null : fields(object(b.billing_address, '$.billing_address'), '$.billing_address', Object.fromEntries(Object.entries(ADDRESS).map(([k, v]) => [k, [v, 'string']])), ADDRESS_REQUIRED);
  if (!Array.isArray(b.risk_signals) || b.risk_signals.length > 20) throw new Problem('$.risk_signals', '$.risk_signals must be an array of at most 20 risk signals.');
  const riskSignals = b.risk_signals.map((r, i) => fields(object(r, `$.risk_signals[${i}]`), `$.risk_signals[${i}]`, { type: ['type', 'string'], score: ['score', 'integer'], action: ['action', 'string'] }, ['type', 'score', 'action']));
  const metadata = typed(b.metadata, 'map', '$.metadata');
  return { paymentMethod, allowance, billingAddress: address, riskSignals, metadata };
}

/** A GraphQL input path (paymentMethod.expMonth) as the request's JSONPath ($.payment_method.exp_month). */
export function paramOfField(field: unknown): string | undefined {
  if (typeof field !== 'string' || !field) return undefined;
  const snake = field.replace(/^input\./, '').replace(/[A-Z0-9]/g, (c) => (/\d/.test(c) ? c : `_${c.toLowerCase()}`));
  return `$.${snake}`;
}

function failure(error: GraphQLFormattedError | undefined): AcpAnswer {
  const code = error?.extensions?.code;
  if (code === 'BAD_USER_INPUT') return bad(paramOfField(error?.extensions?.field) ?? '$', error?.message ?? 'Invalid request.');
  if (code === 'IDEMPOTENCY_KEY_REUSED') return acpError(422, 'idempotency_conflict', 'Idempotency-Key has already been used with a different request body');
  if (code === 'IDEMPOTENCY_KEY_IN_USE') return { ...acpError(409, 'idempotency_in_flight', 'A request with this Idempotency-Key is currently being processed'), headers: { 'Retry-After': '1' } };
  return fromGraphQL(error);
}

async function handle(deps: GatewayRouteDeps, req: RawRequest, res: Response): Promise<void> {
  echoRequestId(req, res);
  const requestId = requestIdOf(req);
  const auth = await deps.authenticate(req.headers.authorization, requestId).catch((err: unknown) => {
    deps.logger.error({ err, requestId }, 'API key lookup failed');
    return null;
  });
  if (!auth) return send(res, { ...acpError(503, 'service_unavailable', 'Authentication is temporarily unavailable; retry shortly.'), headers: { 'Retry-After': '1' } });
  if (!auth.ok) {
    res.setHeader('www-authenticate', 'Bearer realm="handoff"');
    return send(res, { status: 401, body: { type: 'unauthorized', code: 'unauthorized', message: 'Missing, unknown or revoked API key.' } });
  }
  const principal = auth.principal;
  if (principal.kind !== 'AGENT') return send(res, { status: 403, body: { type: 'invalid_request', code: 'forbidden', message: 'delegate_payment takes an agent API key (hk_agt_…).' } });
  const problem = checkVersion(req) ?? checkSignature(req, req.rawBody);
  if (problem) return send(res, problem);
  const merchantId = String(req.params.merchantId ?? '');
  const key = req.headers['idempotency-key'] as string | undefined;
  // The fingerprint of the body never sees the card's number or CVC in the clear.
  const masked = maskCard(req.body, deps.config.internalSecret);
  const answer = await idempotent(deps.redis(), { caller: `${principal.agentId}:${principal.keyId}`, path: `/acp/${merchantId}/agentic_commerce/delegate_payment`, key, body: masked }, async () => {
    let input: Record<string, unknown>;
    try {
      input = delegateInput(req.body);
    } catch (err) {
      if (err instanceof Problem) return bad(err.param, err.message);
      throw err;
    }
    if ((input.allowance as { merchantId?: unknown }).merchantId !== merchantId) return bad('$.allowance.merchant_id', '$.allowance.merchant_id must be the merchant of this URL.');
    const result = await deps.execute<{ delegatePayment: { token: { id: string; created: string; metadata: Record<string, string> } } }>({
      query: DELEGATE,
      variables: { input, key },
      principal,
      requestId,
      ...(key ? { idempotencyKey: key } : {}),
    });
    const t = result.data?.delegatePayment?.token;
    if (!t) return failure(result.errors?.[0]);
    return { status: 201, body: { id: t.id, created: new Date(t.created).toISOString(), metadata: t.metadata } };
  });
  send(res, answer);
}

function maskCard(body: unknown, secret: string): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  const pm = b.payment_method;
  if (!pm || typeof pm !== 'object' || Array.isArray(pm)) return body;
  const hide = (v: unknown) => (typeof v === 'string' ? createHmac('sha256', secret).update(`acp-delegate:${v}`).digest('base64url') : v);
  const card = pm as Record<string, unknown>;
  return { ...b, payment_method: { ...card, number: hide(card.number), cvc: hide(card.cvc) } };
}

export function mountDelegatePayment(app: Express, deps: GatewayRouteDeps): void {
  app.post(
    DELEGATE_PAYMENT_PATH,
    (req, res, next) => json(req, res, (err?: unknown) => (err ? send(res, bad('$', 'The body must be valid JSON of at most 32kb.')) : next())),
    (req, res) => {
      handle(deps, req as RawRequest, res).catch((err: unknown) => {
        deps.logger.error({ err, requestId: requestIdOf(req) }, 'ACP delegate_payment failed');
        if (!res.headersSent) send(res, acpError(500, 'processing_error', 'Unexpected error.'));
      });
    },
  );
}
