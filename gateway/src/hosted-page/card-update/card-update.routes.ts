// The buyer's card-update page and its public API (issue 22; docs/recurring.md "Card update
// link"), on the gateway's port beside the hosted checkout page, with its security headers:
//   GET  /billing/card-update/:token          the page (HTML; checkout.css, card-update.js)
//   GET  /api/billing/card-update/:token      the view (JSON)
//   POST /api/billing/card-update/:token      { card: { number, expMonth, expYear, cvc, name? } } | { testCard } | { payment_method }
//                                             | { setup_intent } (Stripe: the SetupIntent Stripe.js confirmed)
//   POST /api/billing/card-update/:token/setup-intent   Stripe: { setup_intent, client_secret } for stripe.confirmSetup
// A Stripe merchant's page loads Stripe.js (STRIPE_JS_URL) under its CSP (stripeContentSecurityPolicy).
// No API key: the link's token is the credential (signed, expiring, used once), checked by
// payment-intent, which the gateway calls as itself (POST /internal/billing/card-update/view|apply).
// Errors: `{ error, code, reason?, field? }`: 404 CARD_UPDATE_LINK_INVALID, 410 CARD_UPDATE_LINK_EXPIRED
// / CARD_UPDATE_LINK_USED, 402 CARD_UPDATE_DECLINED, 409 SUBSCRIPTION_ALREADY_CANCELED /
// SUBSCRIPTION_CHANGE_UNSUPPORTED / CARD_UPDATE_SETUP_INVALID, 400 BAD_USER_INPUT, 503 SERVICE_UNAVAILABLE; never a 500.
import type { Request, Response } from 'express';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import type { GatewayRouteDeps, RouteMount } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { parsePayBody } from '../card-input.js';
import { localeFrom } from '../money-format.js';
import { jsonBody, safely, sendFailure } from '../route-support.js';
import { setSecurityHeaders, stripeContentSecurityPolicy } from '../security-headers.js';
import { refusalPage, renderCardUpdatePage, type CardUpdateView } from './card-update-html.js';

export const CARD_UPDATE_PAGE = '/billing/card-update';
export const CARD_UPDATE_API = '/api/billing/card-update';
/** The token's alphabet and bound (its exact shape is payment-intent's to check). */
const TOKEN = /^[A-Za-z0-9_.-]{1,160}$/;
const SETUP_INTENT = /^seti_[A-Za-z0-9_]{1,120}$/;
const INVALID = { status: 404, code: 'CARD_UPDATE_LINK_INVALID', message: 'This card update link is not valid.' };
const UNAVAILABLE = { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'The card cannot be updated right now; please try again.' };
/** payment-intent's refusals the page relays as they are; anything else is 503. */
const RELAYED = new Set([400, 402, 404, 409, 410]);

type Answer<T> = { ok: true; value: T } | { ok: false; failure: { status: number; code: string; message: string }; extra: Record<string, unknown> };

async function callPaymentIntent<T>(deps: GatewayRouteDeps, req: Request, path: string, body: Record<string, unknown>): Promise<Answer<T>> {
  const requestId = requestIdOf(req) ?? requestIdFrom(undefined);
  const answer = await deps.callInternal('payment-intent', path, Buffer.from(JSON.stringify(body)), { [REQUEST_ID_HEADER]: requestId });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (answer.status === 200 && json) return { ok: true, value: json as T };
  if (RELAYED.has(answer.status) && typeof json?.code === 'string') {
    const extra: Record<string, unknown> = {};
    if (typeof json.reason === 'string') extra.reason = json.reason;
    if (typeof json.field === 'string') extra.field = json.field;
    return { ok: false, failure: { status: answer.status, code: json.code, message: String(json.error ?? 'Refused.') }, extra };
  }
  deps.logger.warn({ status: answer.status, path }, 'card update: payment-intent did not answer');
  return { ok: false, failure: UNAVAILABLE, extra: {} };
}

const tokenOf = (req: Request): string | undefined => {
  const token = String(req.params.token ?? '');
  return TOKEN.test(token) ? token : undefined;
};

export const mountCardUpdatePage: RouteMount = (app, deps) => {
  const json = jsonBody('8kb');

  app.use([CARD_UPDATE_PAGE, CARD_UPDATE_API], (_req, res, next) => {
    setSecurityHeaders(res);
    next();
  });

  app.get(
    `${CARD_UPDATE_PAGE}/:token`,
    safely(deps, async (req, res, deps) => {
      const token = tokenOf(req);
      const view = token ? await callPaymentIntent<CardUpdateView>(deps, req, '/internal/billing/card-update/view', { token }) : undefined;
      if (!view?.ok) {
        const page = refusalPage(view ? view.failure.code : INVALID.code);
        return void res.status(page.status).type('html').send(page.html);
      }
      const stripe = Boolean(view.value.stripe?.publishable_key);
      if (stripe) res.setHeader('content-security-policy', stripeContentSecurityPolicy(deps.config.stripeJsUrl));
      res.status(200).type('html').send(renderCardUpdatePage(view.value, localeFrom(req.headers['accept-language']), stripe ? deps.config.stripeJsUrl : undefined));
    }),
  );

  app.get(
    `${CARD_UPDATE_API}/:token`,
    safely(deps, async (req, res, deps) => {
      const token = tokenOf(req);
      if (!token) return sendFailure(res, INVALID);
      const view = await callPaymentIntent<CardUpdateView>(deps, req, '/internal/billing/card-update/view', { token });
      if (!view.ok) return sendFailure(res, view.failure, view.extra);
      res.status(200).json(view.value);
    }),
  );

  app.post(
    `${CARD_UPDATE_API}/:token/setup-intent`,
    json,
    safely(deps, async (req, res: Response, deps) => {
      const token = tokenOf(req);
      if (!token) return sendFailure(res, INVALID);
      const made = await callPaymentIntent<Record<string, unknown>>(deps, req, '/internal/billing/card-update/setup', { token });
      if (!made.ok) return sendFailure(res, made.failure, made.extra);
      res.status(200).json(made.value);
    }),
  );

  app.post(
    `${CARD_UPDATE_API}/:token`,
    json,
    safely(deps, async (req, res: Response, deps) => {
      const token = tokenOf(req);
      if (!token) return sendFailure(res, INVALID);
      const body = req.body as Record<string, unknown> | undefined;
      if (body && typeof body === 'object' && !Array.isArray(body) && body.setup_intent !== undefined) {
        // Stripe: the SetupIntent Stripe.js confirmed (payment-intent reads it back from Stripe).
        if (Object.keys(body).length !== 1 || typeof body.setup_intent !== 'string' || !SETUP_INTENT.test(body.setup_intent)) {
          return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: 'setup_intent: must be a Stripe SetupIntent id (seti_…), alone.' }, { field: 'setup_intent' });
        }
        const done = await callPaymentIntent<Record<string, unknown>>(deps, req, '/internal/billing/card-update/apply', { token, setup_intent: body.setup_intent });
        if (!done.ok) return sendFailure(res, done.failure, done.extra);
        return void res.status(200).json(done.value);
      }
      const input = parsePayBody(req.body);
      if (!input.ok) return sendFailure(res, { status: 400, code: 'BAD_USER_INPUT', message: `${input.field}: ${input.message}` }, { field: input.field });
      const card = 'paymentMethod' in input ? { payment_method: input.paymentMethod } : { testCard: input.cardNumber };
      const done = await callPaymentIntent<Record<string, unknown>>(deps, req, '/internal/billing/card-update/apply', { token, ...card });
      if (!done.ok) return sendFailure(res, done.failure, done.extra);
      res.status(200).json(done.value);
    }),
  );

  app.all([CARD_UPDATE_API, `${CARD_UPDATE_API}/*rest`], (_req, res) => sendFailure(res, { status: 404, code: 'NOT_FOUND', message: 'Not found.' }));
};
