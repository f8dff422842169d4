// A local stand-in for Stripe (Stripe cannot be reached from here), for the hosted page's
// Stripe path: one HTTP server that serves
//   GET  /v3/                          a small Stripe.js: Stripe(pk).elements({...}).create('payment').mount(…)
//                                      draws card inputs, createPaymentMethod posts them, with the
//                                      publishable key, to this server's API (as Stripe.js does);
//                                      confirmSetup({ elements, clientSecret }) (setup mode) makes the
//                                      PaymentMethod and confirms the SetupIntent with it
//                                      (POST /v1/setup_intents/:id/confirm, publishable key + client secret)
//   POST /v1/payment_methods           (publishable key) → pm_…; GET /v1/payment_methods/:id
//                                      (secret key: only for an account enabled for raw card data,
//                                      `rawCardDataKeys`, as Stripe; others are refused as Stripe does)
//   POST /v1/payment_intents, …/:id/confirm, …/:id/cancel, GET …/:id   (secret key, the Stripe SDK)
//   GET  /3ds/:pi, POST /3ds/:pi        the bank's 3-D Secure page: approve or fail, then back to
//                                      the confirmation's return_url with Stripe's query parameters.
// Cards: 4000002500003155 asks for 3-D Secure, 4000000000000002 declines, 4000000000000341 attaches
// to a customer but its charges fail, others succeed. Stripe Billing: fake-stripe-billing.ts.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHARGES_FAIL_CARD, fakeStripeBilling, type FakeStripeBilling } from './fake-stripe-billing.js';

export interface FakeStripe {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Stripe.js's URL for the gateway's STRIPE_JS_URL. */
  jsUrl: string;
  /** Every API request: method, path, the key it was made with, its form fields. */
  requests: Array<{ method: string; path: string; key: string; form: Record<string, string> }>;
  /** Stripe Billing: customers, SetupIntents, subscriptions, invoices, webhook endpoints, test-clock cycles (fake-stripe-billing.ts). */
  billing: FakeStripeBilling;
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  /**
   * Secret keys of the accounts enabled for Stripe's raw card data APIs: they may create a
   * PaymentMethod from card data server-side (a delegated card's vault). Any other secret key is
   * refused as Stripe refuses it (402 invalid_request_error, "Sending credit card numbers directly
   * to the Stripe API is generally unsafe…").
   */
  rawCardDataKeys?: string[];
}

const THREE_DS = '4000002500003155';
const DECLINE = '4000000000000002';

// The stand-in Stripe.js. No inline styles (the page's CSP is style-src 'self').
const STRIPE_JS = `(function () {
  'use strict';
  var script = document.currentScript;
  var api = new URL(script.src).origin;
  function field(host, id, label, auto) {
    var l = document.createElement('label'); l.htmlFor = id; l.textContent = label;
    var i = document.createElement('input'); i.id = id; i.name = id; i.autocomplete = auto; i.inputMode = 'numeric';
    host.appendChild(l); host.appendChild(i);
    return i;
  }
  window.Stripe = function (key) {
    if (!/^pk_(test|live)_/.test(key)) throw new Error('Invalid publishable key');
    var inputs = null;
    var mode = null;
    var stripe = {
      elements: function (options) {
        // Stripe's deferred-intent modes: payment (an amount above 0) or setup (no amount: a card saved, nothing charged).
        if (!options.currency || !(options.mode === 'payment' ? options.amount > 0 : options.mode === 'setup' && options.amount === undefined)) throw new Error('elements: mode payment with an amount, or setup without one, and a currency');
        if (options.setupFutureUsage !== undefined && (options.mode !== 'payment' || options.setupFutureUsage !== 'off_session' && options.setupFutureUsage !== 'on_session')) throw new Error('elements: setupFutureUsage is on_session or off_session, in payment mode');
        window.__stripeElementsOptions = options;
        mode = options.mode;
        return {
          create: function (type) {
            if (type !== 'payment') throw new Error('only the Payment Element');
            return {
              mount: function (selector) {
                var host = document.querySelector(selector);
                host.setAttribute('data-stripe-element', 'payment');
                inputs = {
                  number: field(host, 'stripe-card-number', 'Stripe card number', 'cc-number'),
                  expiry: field(host, 'stripe-card-expiry', 'Stripe expiry (MM/YY)', 'cc-exp'),
                  cvc: field(host, 'stripe-card-cvc', 'Stripe CVC', 'cc-csc'),
                };
              },
            };
          },
          submit: function () {
            var digits = inputs ? inputs.number.value.replace(/\\D/g, '') : '';
            return Promise.resolve(digits.length < 12 ? { error: { type: 'validation_error', message: 'Your card number is incomplete.' } } : {});
          },
          update: function (o) { if (o && o.amount) options.amount = o.amount; },
        };
      },
      createPaymentMethod: function () {
        var exp = inputs.expiry.value.split('/');
        var body = new URLSearchParams({
          key: key, type: 'card',
          'card[number]': inputs.number.value.replace(/\\D/g, ''),
          'card[exp_month]': (exp[0] || '').trim(), 'card[exp_year]': (exp[1] || '').trim(), 'card[cvc]': inputs.cvc.value.trim(),
        });
        return fetch(api + '/v1/payment_methods', { method: 'POST', body: body })
          .then(function (r) { return r.json(); })
          .then(function (j) { return j.error ? { error: j.error } : { paymentMethod: j }; });
      },
      confirmSetup: function (o) {
        if (mode !== 'setup') return Promise.reject(new Error('IntegrationError: confirmSetup needs elements in setup mode'));
        if (!o || !o.elements || typeof o.clientSecret !== 'string' || o.clientSecret.indexOf('_secret_') < 0) return Promise.reject(new Error('IntegrationError: confirmSetup needs elements and the SetupIntent client secret'));
        var id = o.clientSecret.split('_secret_')[0];
        return stripe.createPaymentMethod({ elements: o.elements }).then(function (created) {
          if (created.error) return created;
          var body = new URLSearchParams({ key: key, client_secret: o.clientSecret, payment_method: created.paymentMethod.id, return_url: (o.confirmParams && o.confirmParams.return_url) || '' });
          return fetch(api + '/v1/setup_intents/' + id + '/confirm', { method: 'POST', body: body })
            .then(function (r) { return r.json(); })
            .then(function (j) { return j.error ? { error: j.error } : { setupIntent: j }; });
        });
      },
    };
    return stripe;
  };
})();
`;

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const rawCardData = new Set(options.rawCardDataKeys ?? []);
  const intents = new Map<string, Record<string, any>>();
  const methods = new Map<string, { id: string; number: string; customer?: string }>();
  /** Stripe's idempotent requests: the answer (a success or a card error) of a POST with an Idempotency-Key, by account key and idempotency key, with its request. */
  const byKey = new Map<string, { request: string; status: number; body: unknown }>();
  const keyed = new WeakMap<ServerResponse, { replayKey: string; request: string }>();
  const fake = { url: '', jsUrl: '', requests: [], close: async () => undefined } as unknown as FakeStripe;
  let n = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const k = keyed.get(res);
    if (k && (status < 300 || status === 402)) byKey.set(k.replayKey, { request: k.request, status, body: JSON.parse(JSON.stringify(body)) as unknown });
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++n}`, 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(body));
  };
  const stripeError = (res: ServerResponse, status: number, error: Record<string, unknown>) => json(res, status, { error });
  const id = (prefix: string, seed: string) => `${prefix}_${createHash('sha256').update(`${seed}:${++n}`).digest('hex').slice(0, 24)}`;
  fake.billing = fakeStripeBilling({ intents, methods, json, stripeError, id });

  const pay = (pi: Record<string, any>, form: Record<string, string>, res: ServerResponse) => {
    const pm = methods.get(form.payment_method ?? '');
    if (!pm) return stripeError(res, 400, { type: 'invalid_request_error', code: 'resource_missing', message: 'No such PaymentMethod' });
    pi.payment_method = pm.id;
    pi.return_url = form.return_url;
    // Saved for later off-session charges: attached to the intent's customer (Stripe needs one to reuse it).
    if (form.setup_future_usage && pi.customer && pm.number !== DECLINE && pm.number !== CHARGES_FAIL_CARD) pm.customer = pi.customer;
    if (pm.number === DECLINE || pm.number === CHARGES_FAIL_CARD) {
      Object.assign(pi, { status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } });
      return stripeError(res, 402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', payment_intent: pi });
    }
    if (pm.number === THREE_DS) {
      Object.assign(pi, { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { url: `${fake.url}/3ds/${pi.id}`, return_url: form.return_url } } });
      return json(res, 200, pi);
    }
    Object.assign(pi, { status: pi.capture_method === 'manual' ? 'requires_capture' : 'succeeded', amount_received: pi.capture_method === 'manual' ? 0 : pi.amount, next_action: null });
    return json(res, 200, pi);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'GET' && path === '/v3/') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' });
      return res.end(STRIPE_JS);
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/3ds\/(pi_[0-9a-f]+)$/.exec(path))) {
      const pi = intents.get(m[1]!);
      if (!pi) return json(res, 404, { error: 'no such payment' });
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><title>Your bank</title><h1>Approve the payment</h1>
<form method="post"><button name="outcome" value="approve">Approve</button><button name="outcome" value="fail">Fail</button></form>`);
      }
      const approved = form.outcome === 'approve';
      if (approved) Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, next_action: null });
      else Object.assign(pi, { status: 'requires_payment_method', next_action: null, last_payment_error: { code: 'payment_intent_authentication_failure', message: 'Authentication failed.' } });
      const back = new URL(pi.return_url);
      back.searchParams.set('payment_intent', pi.id);
      back.searchParams.set('payment_intent_client_secret', pi.client_secret);
      back.searchParams.set('redirect_status', approved ? 'succeeded' : 'failed');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    const key = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || form.key || '';
    fake.requests.push({ method: req.method ?? '', path, key, form });
    const replayKey = req.headers['idempotency-key'] && req.method === 'POST' ? `${key}:${String(req.headers['idempotency-key'])}` : undefined;
    if (replayKey) {
      const request = `${path}\0${raw}`;
      const stored = byKey.get(replayKey);
      if (stored && stored.request !== request) {
        return stripeError(res, 400, { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' });
      }
      if (stored) return json(res, stored.status, stored.body);
      keyed.set(res, { replayKey, request });
    }

    if (path === '/v1/payment_methods' && req.method === 'POST') {
      const secret = /^(sk|rk)_(test|live)_/.test(key);
      if (!secret && !/^pk_(test|live)_/.test(key)) return stripeError(res, 401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
      if (secret && !rawCardData.has(key)) {
        return stripeError(res, 402, {
          type: 'invalid_request_error',
          message:
            'Sending credit card numbers directly to the Stripe API is generally unsafe. To continue processing use Stripe.js, the Stripe mobile bindings, or Stripe Elements. If you are qualified to handle card data directly, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.',
        });
      }
      if (form.type !== 'card') return stripeError(res, 400, { type: 'invalid_request_error', param: 'type', message: 'Invalid type: must be card.' });
      const number = form['card[number]'] ?? '';
      if (!/^\d{12,19}$/.test(number)) return stripeError(res, 402, { type: 'card_error', code: 'incorrect_number', param: 'card[number]', message: 'Your card number is incorrect.' });
      const expMonth = Number(form['card[exp_month]']);
      const expYear = Number(form['card[exp_year]']) < 100 ? 2000 + Number(form['card[exp_year]']) : Number(form['card[exp_year]']);
      if (!(expMonth >= 1 && expMonth <= 12)) return stripeError(res, 402, { type: 'card_error', code: 'invalid_expiry_month', param: 'card[exp_month]', message: "Your card's expiration month is invalid." });
      if (!(expYear >= new Date().getUTCFullYear())) return stripeError(res, 402, { type: 'card_error', code: 'invalid_expiry_year', param: 'card[exp_year]', message: "Your card's expiration year is invalid." });
      const pm = { id: id('pm', number), number };
      methods.set(pm.id, pm);
      const billingName = form['billing_details[name]'];
      return json(res, 200, {
        id: pm.id, object: 'payment_method', type: 'card',
        billing_details: { name: billingName ?? null },
        card: { brand: 'visa', last4: number.slice(-4), exp_month: expMonth, exp_year: expYear, funding: 'credit', country: 'GB', fingerprint: createHash('sha256').update(number).digest('hex').slice(0, 16) },
      });
    }
    // Everything else is the server's (the Stripe SDK with the merchant's secret key), but Stripe.js's confirmation of a SetupIntent (its client secret).
    const browserConfirm = req.method === 'POST' && /^\/v1\/setup_intents\/seti_[0-9a-f]+\/confirm$/.test(path) && /^pk_(test|live)_/.test(key);
    if (!browserConfirm && !/^(sk|rk)_(test|live)_/.test(key)) return stripeError(res, 401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
    if ((m = /^\/v1\/payment_methods\/(pm_[0-9a-f]+)$/.exec(path)) && req.method === 'GET') {
      const pm = methods.get(m[1]!);
      if (!pm) return stripeError(res, 404, { type: 'invalid_request_error', code: 'resource_missing', message: 'No such PaymentMethod' });
      return json(res, 200, { id: pm.id, object: 'payment_method', card: { brand: 'visa', last4: pm.number.slice(-4), country: 'GB', fingerprint: createHash('sha256').update(pm.number).digest('hex').slice(0, 16), funding: 'credit' } });
    }
    if (path === '/v1/payment_intents' && req.method === 'POST') {
      const piId = id('pi', raw);
      const metadata = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v]));
      const pi = { id: piId, object: 'payment_intent', client_secret: `${piId}_secret_${createHash('sha256').update(piId).digest('hex').slice(0, 16)}`, amount: Number(form.amount), amount_received: 0, currency: form.currency, status: 'requires_payment_method', capture_method: form.capture_method, metadata, next_action: null, last_payment_error: null, payment_method: null };
      intents.set(piId, pi);
      return json(res, 200, pi);
    }
    if ((m = /^\/v1\/payment_intents\/(pi_[0-9a-f]+)(\/confirm|\/cancel|\/capture)?$/.exec(path))) {
      const pi = intents.get(m[1]!);
      if (!pi) return stripeError(res, 404, { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' });
      if (req.method === 'GET' && !m[2]) return json(res, 200, pi);
      if (m[2] === '/confirm') return pay(pi, form, res);
      if (m[2] === '/cancel') return json(res, 200, Object.assign(pi, { status: 'canceled' }));
      if (req.method === 'POST' && !m[2]) {
        if (form.customer !== undefined && !fake.billing.customers.has(form.customer)) return stripeError(res, 404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${form.customer}'` });
        return json(res, 200, Object.assign(pi, form.customer !== undefined ? { customer: form.customer } : {}));
      }
      if (m[2] === '/capture') return json(res, 200, Object.assign(pi, { status: 'succeeded', amount_received: Number(form.amount_to_capture ?? pi.amount) }));
    }
    if (fake.billing.handle(req.method ?? '', path, url.searchParams, form, key, res)) return;
    stripeError(res, 404, { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      try {
        handle(req, res, raw);
      } catch (err) {
        json(res, 500, { error: { type: 'api_error', message: String(err) } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.jsUrl = `${fake.url}/v3/`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
