// GET /v1/checkout/redirect/return (seed 003 §7): where the buyer lands back after a redirect-based
// payment step (3-D Secure, a redirect method). No API key: the buyer's browser holds the client
// secret, which is the credential, and nothing the query says about the outcome is trusted.
//   ?checkout_id=<session>&client_secret=<the session's client secret, a hosted link or embed token>
//   ?payment_intent=<standalone intent>&client_secret=<pi_…_secret_…>
// (`cs` and seed 003's `payment_token` are accepted for client_secret; `status`, `redirect_status`
// and the PSP's own `payment_intent_client_secret` are ignored.) The secret must verify (HMAC,
// shared/src/identity/client-secret.ts, checkout-token.ts) and be bound to the ids the query names;
// else 400 REDIRECT_RETURN_INVALID, nothing read. Then the intent's state is read as that client:
//   paid (succeeded, requires_capture), or the session COMPLETE → 303 to the session's success_url
//     ({CHECKOUT_SESSION_ID} filled in), or its hosted page when it has none;
//   processing, requires_action, failed (requires_payment_method after a decline or a failed
//     challenge) → 303 to the hosted page (it watches, or lets the buyer try again);
//   the session CANCELED / EXPIRED → 303 to the session's cancel_url (else the page); an intent
//     canceled while the session is open → the page (the buyer pays again with a fresh intent).
// `Accept: application/json` (or ?format=json) answers 200 `{ checkout_id, payment_intent_id,
// status, outcome, redirect_url }` instead; a standalone intent always answers JSON (it has no pages).
import type { Express, Request, Response } from 'express';
import { intentClientScope, verifyClientSecret, verifyIntentClientSecret } from '@handoff/shared/identity/client-secret';
import { verifyCheckoutToken } from '@handoff/shared/identity/checkout-token';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { guarded, sendError, sendGraphQLError } from '../rest-http.js';
import { safeHttpUrl, successUrlFor } from '../../hosted-page/checkout-api.js';

export const REDIRECT_RETURN = '/v1/checkout/redirect/return';

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const SESSION = `query RedirectReturnSession($id: ID!) { checkoutSession(id: $id) { id status url successUrl cancelUrl
  paymentIntent { id status lastPaymentError { code message } } } }`;
const INTENT = `query RedirectReturnIntent($id: ID!) { paymentIntent(id: $id) { id status lastPaymentError { code message } } }`;

type Outcome = 'succeeded' | 'processing' | 'requires_action' | 'failed' | 'canceled' | 'requires_payment_method';

interface IntentState {
  id: string;
  status: string;
  lastPaymentError: { code: string; message: string } | null;
}
interface SessionState {
  id: string;
  status: string;
  url: string;
  successUrl: string | null;
  cancelUrl: string | null;
  paymentIntent: IntentState | null;
}

const invalid = (res: Response, message: string, field?: string) => sendError(res, 400, 'REDIRECT_RETURN_INVALID', message, field ? { field } : {});

/** A single string query parameter (a repeated one is refused: undefined with `repeated`). */
function param(req: Request, ...names: string[]): { value?: string; repeated?: string } {
  for (const name of names) {
    const v = req.query[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') return { repeated: name };
    return { value: v };
  }
  return {};
}

/** What the intent's state means for the buyer (never the query's word for it). */
export function outcomeOf(sessionStatus: string | null, intent: IntentState | null): Outcome {
  if (sessionStatus === 'COMPLETE') return 'succeeded';
  if (sessionStatus === 'CANCELED' || sessionStatus === 'EXPIRED') return 'canceled';
  switch (intent?.status) {
    case 'SUCCEEDED':
    case 'REQUIRES_CAPTURE':
      return 'succeeded';
    case 'PROCESSING':
      return 'processing';
    case 'REQUIRES_ACTION':
      return 'requires_action';
    case 'CANCELED':
      return 'canceled';
    default:
      return intent?.lastPaymentError ? 'failed' : 'requires_payment_method';
  }
}

/** The graph's answer, or undefined once 503 is sent (the graph could not be reached: nothing was read, try again). */
async function read<T>(deps: GatewayRouteDeps, res: Response, op: Parameters<GatewayRouteDeps['execute']>[0]) {
  try {
    return await deps.execute<T>(op);
  } catch (err) {
    deps.logger.error({ err, requestId: op.requestId }, `GET ${REDIRECT_RETURN}: the graph could not be read`);
    res.setHeader('retry-after', '1');
    sendError(res, 503, 'SERVICE_UNAVAILABLE', 'Temporarily unavailable; reload this page shortly.');
    return undefined;
  }
}

function wantsJson(req: Request): boolean {
  if (req.query.format === 'json') return true;
  const accept = String(req.headers.accept ?? '');
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

export function mountRedirectReturn(app: Express, deps: GatewayRouteDeps): void {
  app.get(
    REDIRECT_RETURN,
    guarded(deps, `GET ${REDIRECT_RETURN}`, async (req, res) => {
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'no-referrer');
      const secret = param(req, 'client_secret', 'cs', 'payment_token');
      const checkout = param(req, 'checkout_id');
      const intentParam = param(req, 'payment_intent', 'payment_intent_id');
      const repeated = secret.repeated ?? checkout.repeated ?? intentParam.repeated;
      if (repeated) return invalid(res, `${repeated}: must be given once.`, repeated);
      if (!secret.value) return invalid(res, 'client_secret: is required (the client secret the payment was started with).', 'client_secret');
      if (secret.value.length > 300) return invalid(res, 'client_secret: is not a valid client secret.', 'client_secret');
      if (checkout.value !== undefined && !ID.test(checkout.value)) return invalid(res, 'checkout_id: is not a checkout session id.', 'checkout_id');
      if (intentParam.value !== undefined && !ID.test(intentParam.value)) return invalid(res, 'payment_intent: is not a payment intent id.', 'payment_intent');
      const internal = deps.config.internalSecret;
      const requestId = requestIdOf(req);

      // A standalone intent's own secret: that intent, answered as JSON.
      const intentId = verifyIntentClientSecret(secret.value, internal);
      if (intentId) {
        if (checkout.value !== undefined) return invalid(res, 'checkout_id: this client secret pays no checkout session.', 'checkout_id');
        if (intentParam.value !== undefined && intentParam.value !== intentId) return invalid(res, 'payment_intent: the client secret is not this payment intent\'s.', 'payment_intent');
        const principal: Principal = { kind: 'CLIENT', checkoutSessionId: intentClientScope(intentId), paymentIntentId: intentId };
        const result = await read<{ paymentIntent: IntentState | null }>(deps, res, { query: INTENT, variables: { id: intentId }, principal, requestId });
        if (!result) return;
        if (result.errors?.length || !result.data) return sendGraphQLError(res, result.errors?.[0]);
        const intent = result.data.paymentIntent;
        if (!intent) return sendError(res, 404, 'PAYMENT_INTENT_NOT_FOUND', 'Payment intent not found.');
        res.status(200).json({ checkout_id: null, payment_intent_id: intent.id, status: intent.status.toLowerCase(), outcome: outcomeOf(null, intent), redirect_url: null, last_payment_error: intent.lastPaymentError });
        return;
      }

      // A session's client secret, or its hosted link's / embed token (until it expires).
      const sessionId = verifyClientSecret(secret.value, internal) ?? verifyCheckoutToken(secret.value, internal)?.checkoutSessionId;
      if (!sessionId) return invalid(res, 'client_secret: does not verify (altered, expired or not Handoff\'s).', 'client_secret');
      if (checkout.value !== undefined && checkout.value !== sessionId) return invalid(res, 'checkout_id: the client secret is not this checkout session\'s.', 'checkout_id');
      const principal: Principal = { kind: 'CLIENT', checkoutSessionId: sessionId };
      const result = await read<{ checkoutSession: SessionState | null }>(deps, res, { query: SESSION, variables: { id: sessionId }, principal, requestId });
      if (!result) return;
      if (result.errors?.length || !result.data) return sendGraphQLError(res, result.errors?.[0]);
      const session = result.data.checkoutSession;
      if (!session) return sendError(res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
      const intent = session.paymentIntent;
      // A return for an intent that is not (or no longer) the session's: refused, not followed.
      if (intentParam.value !== undefined && intentParam.value !== intent?.id) {
        return invalid(res, "payment_intent: is not this checkout session's current payment intent.", 'payment_intent');
      }
      const outcome = outcomeOf(session.status, intent);
      const page = safeHttpUrl(session.url);
      // A canceled intent of a session still open: the page, where the buyer pays again (a fresh intent).
      const closed = session.status === 'CANCELED' || session.status === 'EXPIRED';
      const target = outcome === 'succeeded' ? (successUrlFor(session) ?? page) : closed ? (safeHttpUrl(session.cancelUrl) ?? page) : page;
      if (wantsJson(req) || !target) {
        res.status(200).json({
          checkout_id: session.id,
          payment_intent_id: intent?.id ?? null,
          status: intent ? intent.status.toLowerCase() : null,
          session_status: session.status.toLowerCase(),
          outcome,
          redirect_url: target,
          last_payment_error: intent?.lastPaymentError ?? null,
        });
        return;
      }
      res.redirect(303, target);
    }),
  );
}
