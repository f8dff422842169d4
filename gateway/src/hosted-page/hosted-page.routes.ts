// The hosted checkout page and its public API, on the gateway's port (API.md, seed 002):
//   GET  /checkout/:sessionId?cs=<client secret>      the page (HTML; its CSS and JS under /checkout/assets/)
//   GET  /api/checkout/:sessionId                      the public view (JSON)
//   POST /api/checkout/:sessionId/pay                  { card: { number, expMonth, expYear, cvc, name? } } or { testCard }
//   POST /api/checkout/:sessionId/three-d-secure       { approved: boolean }
//   …/promotion-codes, …/shipping-address, …/billing-address, …/shipping: what the buyer fills
//   in (buyer-routes.ts); each recalculates the session and answers the view.
// The client secret (`Authorization: Bearer <cs>` or `?cs=`) is bound to one session; the routes
// act as `{ kind: 'CLIENT', checkoutSessionId }` through deps.execute. A missing, invalid or other
// session's secret is the same 404 as an unknown session. Errors: `{ error, code, reason? }`.
import type { Request, Response } from 'express';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps, RouteMount } from '../route-deps.js';
import { accentStylesheet, loadAssets } from './assets.js';
import { loadPageView } from './buyer-changes.js';
import { mountBuyerRoutes } from './buyer-routes.js';
import { parsePayBody } from './card-input.js';
import {
  NOT_FOUND,
  closedFailure,
  completeThreeDSecure,
  confirmWithCard,
  confirmWithPaymentMethod,
  loadSession,
  notPayableYet,
  paymentFormOf,
  paymentView,
  RENEW_INTENT_MUTATION,
  runOperation as runBuyerOperation,
  successUrlFor,
  type IntentData,
  type Outcome,
  type SessionData,
} from './checkout-api.js';
import { localeFrom } from './money-format.js';
import { disabledPage, notFoundPage, renderCheckoutPage, unavailablePage } from './page-html.js';
import { clientPrincipal, jsonBody, safely, sendFailure } from './route-support.js';
import { setSecurityHeaders, stripeContentSecurityPolicy } from './security-headers.js';

const PAID = new Set(['succeeded', 'requires_capture']);

/** The session, if it can take a payment now; otherwise the answer is already sent. */
async function payableSession(
  deps: GatewayRouteDeps,
  principal: Principal,
  id: string,
  res: Response,
  step: 'pay' | 'three-d-secure',
): Promise<SessionData | undefined> {
  const loaded = await loadSession(deps, principal, id);
  if (!loaded.ok) return void sendFailure(res, loaded.failure);
  const closed = closedFailure(loaded.value);
  if (closed) return void sendFailure(res, closed, { session_status: loaded.value.status.toLowerCase() });
  const blocked = step === 'pay' ? notPayableYet(loaded.value) : undefined;
  if (blocked) return void sendFailure(res, blocked.failure, { blockers: blocked.blockers });
  return loaded.value;
}

/** The session's intent to pay, a fresh one when it was canceled (renewCheckoutPaymentIntent); undefined once a failure is sent. */
async function liveIntentId(deps: GatewayRouteDeps, principal: Principal, session: SessionData, res: Response): Promise<string | undefined> {
  const intent = session.paymentIntent!;
  if (intent.status !== 'CANCELED') return intent.id;
  const out = await runBuyerOperation<{ renewCheckoutPaymentIntent: { id: string } }>(deps, principal, RENEW_INTENT_MUTATION, { id: session.id });
  if (!out.ok) return void sendFailure(res, out.failure);
  return out.value.renewCheckoutPaymentIntent.id;
}

/** The answer to pay and three-d-secure: the intent's state, or the failure with the intent as it now is. */
async function answerPayment(
  deps: GatewayRouteDeps,
  principal: Principal,
  session: SessionData,
  outcome: Outcome<IntentData>,
  req: Request,
  res: Response,
): Promise<void> {
  const locale = localeFrom(req.headers['accept-language']);
  if (outcome.ok) {
    const payment = paymentView(outcome.value, locale);
    res.status(200).json({ payment, redirect_url: PAID.has(payment.status) ? successUrlFor(session) : null });
    return;
  }
  // A decline (or a refused step) is recorded on the intent before the error: show it as it now is.
  const after = await loadSession(deps, principal, session.id);
  const payment = after.ok && after.value.paymentIntent ? paymentView(after.value.paymentIntent, locale) : null;
  sendFailure(res, outcome.failure, { payment });
}

export const mountHostedPage: RouteMount = (app, deps) => {
  const assets = loadAssets();
  const json = jsonBody('8kb');

  app.use(['/checkout', '/api/checkout'], (_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });

  app.get('/checkout/assets/:file', (req, res) => {
    const accent = accentStylesheet(String(req.params.file));
    if (accent) return void res.status(200).type('text/css; charset=utf-8').send(accent);
    const asset = assets.get(String(req.params.file));
    if (!asset) return void res.status(404).type('text/plain').send('Not found.');
    res.status(200).type(asset.contentType).send(asset.body);
  });

  app.get(
    '/checkout/:sessionId',
    safely(deps, async (req, res, deps) => {
      const principal = clientPrincipal(deps, req, false);
      const locale = localeFrom(req.headers['accept-language']);
      // Opening the page calculates a session without a current calculation: it shows, and pays, the calculation's total.
      const loaded = principal ? await loadPageView(deps, principal, String(req.params.sessionId), locale, true) : { ok: false as const, failure: NOT_FOUND };
      if (!loaded.ok) {
        const notFound = loaded.failure.status === 404;
        if (loaded.failure.code === 'CAPABILITY_DISABLED') return void res.status(403).type('html').send(disabledPage());
        res.status(notFound ? 404 : 503).type('html').send(notFound ? notFoundPage() : unavailablePage());
        return;
      }
      const stripe = loaded.value.payment_form.type === 'stripe';
      // A page with Stripe's Payment Element lets Stripe.js (and only it) in.
      if (stripe) res.setHeader('content-security-policy', stripeContentSecurityPolicy(deps.config.stripeJsUrl));
      res.status(200).type('html').send(renderCheckoutPage(loaded.value, locale, stripe ? deps.config.stripeJsUrl : undefined));
    }),
  );

  app.get(
    '/api/checkout/:sessionId',
    safely(deps, async (req, res, deps) => {
      const principal = clientPrincipal(deps, req, true);
      if (!principal) return sendFailure(res, NOT_FOUND);
      const loaded = await loadPageView(deps, principal, String(req.params.sessionId), localeFrom(req.headers['accept-language']), false);
      if (!loaded.ok) return sendFailure(res, loaded.failure);
      res.status(200).json(loaded.value);
    }),
  );

  app.post(
    '/api/checkout/:sessionId/pay',
    json,
    safely(deps, async (req, res, deps) => {
      const principal = clientPrincipal(deps, req, true);
      if (!principal) return sendFailure(res, NOT_FOUND);
      const input = parsePayBody(req.body);
      if (!input.ok) return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: `${input.field}: ${input.message}` }, { field: input.field });
      const session = await payableSession(deps, principal, String(req.params.sessionId), res, 'pay');
      if (!session) return;
      // At Stripe the card is Stripe.js's to collect (a live key pays no test card); elsewhere the page's own form's.
      const atStripe = paymentFormOf(session).type === 'stripe';
      if (atStripe !== 'paymentMethod' in input) {
        const field = atStripe ? ('testCard' in (req.body as object) ? 'testCard' : 'card') : 'payment_method';
        const message = atStripe ? "this checkout takes the card through Stripe's payment form: send its payment_method." : 'this checkout takes a card, not a payment method.';
        return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: `${field}: ${message}` }, { field });
      }
      // The session's intent was canceled (by the merchant): the buyer pays with a fresh one.
      const intentId = await liveIntentId(deps, principal, session, res);
      if (!intentId) return;
      const outcome =
        'paymentMethod' in input
          ? await confirmWithPaymentMethod(deps, principal, intentId, input.paymentMethod)
          : await confirmWithCard(deps, principal, intentId, input.cardNumber);
      await answerPayment(deps, principal, session, outcome, req, res);
    }),
  );

  app.post(
    '/api/checkout/:sessionId/three-d-secure',
    json,
    safely(deps, async (req, res, deps) => {
      const principal = clientPrincipal(deps, req, true);
      if (!principal) return sendFailure(res, NOT_FOUND);
      const body: unknown = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: 'body: must be a JSON object.' }, { field: 'body' });
      }
      const extra = Object.keys(body).find((k) => k !== 'approved');
      if (extra !== undefined) {
        const field = (extra.length > 40 ? `${extra.slice(0, 40)}…` : extra).replaceAll('\u0000', '');
        return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: `${field}: is not a field of this request (known fields: approved).` }, { field });
      }
      const approved = (body as { approved?: unknown }).approved;
      if (typeof approved !== 'boolean') {
        return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: 'approved: must be true or false.' }, { field: 'approved' });
      }
      const session = await payableSession(deps, principal, String(req.params.sessionId), res, 'three-d-secure');
      if (!session) return;
      const outcome = await completeThreeDSecure(deps, principal, session.paymentIntent!.id, approved);
      await answerPayment(deps, principal, session, outcome, req, res);
    }),
  );

  mountBuyerRoutes(app, deps, json);

  // Anything else under the public API: the same JSON shape, never the gateway's GraphQL-style 404.
  app.all(['/api/checkout', '/api/checkout/*rest'], (_req, res) => sendFailure(res, { status: 404, code: 'NOT_FOUND', message: 'Not found.' }));
};
