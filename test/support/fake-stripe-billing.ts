// Stripe Billing in the local stand-in for Stripe (fake-stripe.ts), in Stripe's documented shapes
// (API 2025+: an invoice names its subscription in `parent.subscription_details`, its payments are
// InvoicePayments; a subscription's current period is on its items):
//   POST /v1/customers, GET /v1/customers/:id
//   POST /v1/setup_intents (confirm=true: attaches the card to the customer; 4000002500003155 needs
//        authentication, 4000000000000002 declines; 4000000000000341 attaches, its charges fail; without
//        a payment_method: requires_payment_method, for Stripe.js to confirm), GET /v1/setup_intents/:id,
//        POST /v1/setup_intents/:id/confirm (Stripe.js: publishable key + client_secret)
//   POST /v1/customers/:id (invoice_settings[default_payment_method]: attached to it, as Stripe requires)
//   POST /v1/products
//   POST /v1/subscriptions (items[][price_data], default_payment_method, which must be attached to
//        the customer as Stripe requires, trial_end: the first invoice then), GET /v1/subscriptions/:id,
//        GET /v1/subscriptions?customer=&status=, POST /v1/subscriptions/:id (cancel_at_period_end,
//        default_payment_method), DELETE /v1/subscriptions/:id (cancel)
//   GET  /v1/invoice_payments?invoice=in_…, GET /v1/invoices/:id, POST /v1/invoices/:id/pay (payment_method:
//        charged off-session at once; its events delivered as a cycle's)
// and, as Stripe's test clocks do, `advance(subscription)`: the next cycle's invoice, charged
// off-session with the default payment method (0341 or `decline` fails it), then the signed
// webhooks Stripe would send (invoice.paid / invoice.payment_failed, payment_intent.*,
// customer.subscription.updated) to the account's webhook endpoints, in Stripe's order.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Stripe from 'stripe';

export const CHARGES_FAIL_CARD = '4000000000000341';
const THREE_DS = '4000002500003155';
const DECLINE = '4000000000000002';
const API_VERSION = '2026-10-28.endive';

type Obj = Record<string, any>;
export interface BillingContext {
  intents: Map<string, Obj>;
  methods: Map<string, { id: string; number: string; customer?: string }>;
  json(res: ServerResponse, status: number, body: unknown): void;
  stripeError(res: ServerResponse, status: number, error: Record<string, unknown>): void;
  id(prefix: string, seed: string): string;
}

export interface FakeStripeEvent {
  id: string;
  type: string;
  /** The account (secret key) it belongs to. */
  key: string;
  payload: string;
}

export interface FakeStripeBilling {
  customers: Map<string, Obj>;
  setupIntents: Map<string, Obj>;
  subscriptions: Map<string, Obj>;
  invoices: Map<string, Obj>;
  /** Every event made, in order. */
  events: FakeStripeEvent[];
  /** Stripe's webhook endpoint of an account: its events are POSTed there, signed with `secret`. */
  addWebhookEndpoint(key: string, url: string, secret: string): void;
  /** The next cycle of a subscription (a test clock moved to its period's end): its invoice, charged, and its events delivered. */
  advance(subscriptionId: string, opts?: { decline?: boolean }): Promise<{ invoice: Obj; events: FakeStripeEvent[] }>;
  /** Stripe's next automatic retry of an open invoice (Smart Retries), with the default card; its events delivered. */
  retryInvoice(invoiceId: string, opts?: { decline?: boolean }): Promise<{ invoice: Obj; events: FakeStripeEvent[] }>;
  /** Delivers an event (again) to its account's endpoints; the endpoints' HTTP statuses. */
  deliver(event: FakeStripeEvent): Promise<number[]>;
  /** An event signed for a secret, as Stripe signs it (for a test delivering it itself). */
  sign(event: FakeStripeEvent, secret: string): string;
  handle(method: string, path: string, query: URLSearchParams, form: Record<string, string>, key: string, res: ServerResponse): boolean;
}

const now = () => Math.floor(Date.now() / 1000);
/** A subscription as Stripe shows it (without the fake's own bookkeeping). */
const pub = (s: Obj): Obj => ({ ...s, key: undefined, cycle: undefined });
const metadataOf = (form: Record<string, string>, prefix = '') =>
  Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith(`${prefix}metadata[`)).map(([k, v]) => [k.slice(prefix.length + 9, -1), v]));

/** Stripe's cycle arithmetic: the anchor plus n intervals, keeping the anchor's day of month (clamped to the month's end). */
export function addIntervals(anchorSec: number, interval: string, count: number, n: number): number {
  const a = new Date(anchorSec * 1000);
  if (interval === 'day' || interval === 'week') return anchorSec + n * count * (interval === 'day' ? 86_400 : 604_800);
  const months = n * count * (interval === 'year' ? 12 : 1);
  const y = a.getUTCFullYear() + Math.floor((a.getUTCMonth() + months) / 12);
  const m = (a.getUTCMonth() + months) % 12;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.floor(Date.UTC(y, m, Math.min(a.getUTCDate(), last), a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds()) / 1000);
}

export function fakeStripeBilling(ctx: BillingContext): FakeStripeBilling {
  const customers = new Map<string, Obj>();
  const products = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const invoicePayments = new Map<string, Obj[]>();
  const setupIntents = new Map<string, Obj>();
  const endpoints = new Map<string, Array<{ url: string; secret: string }>>();
  const events: FakeStripeEvent[] = [];

  const event = (key: string, type: string, object: Obj, previous?: Obj): FakeStripeEvent => {
    const id = ctx.id('evt', `${type}:${object.id}`);
    const body = { id, object: 'event', api_version: API_VERSION, created: now(), type, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object: JSON.parse(JSON.stringify(object)), ...(previous ? { previous_attributes: previous } : {}) } };
    const e = { id, type, key, payload: JSON.stringify(body) };
    events.push(e);
    return e;
  };
  const sign = (e: FakeStripeEvent, secret: string) => Stripe.webhooks.generateTestHeaderString({ payload: e.payload, secret });
  const deliver = async (e: FakeStripeEvent): Promise<number[]> => {
    const statuses: number[] = [];
    for (const ep of endpoints.get(e.key) ?? []) {
      const res = await fetch(ep.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': sign(e, ep.secret) }, body: e.payload });
      statuses.push(res.status);
    }
    return statuses;
  };

  const amountOf = (sub: Obj) => sub.items.data.reduce((t: number, i: Obj) => t + i.price.unit_amount * i.quantity, 0);
  const makeInvoice = (sub: Obj, reason: string, start: number, end: number, amount: number): Obj => {
    const inv = {
      id: ctx.id('in', `${sub.id}:${start}`), object: 'invoice', customer: sub.customer, subscription: undefined, status: 'open', billing_reason: reason, collection_method: 'charge_automatically',
      currency: sub.currency, amount_due: amount, amount_paid: 0, amount_remaining: amount, attempt_count: 0, attempted: false, next_payment_attempt: null as number | null,
      period_start: start, period_end: start, created: now(), metadata: {},
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } } },
      lines: { object: 'list', has_more: false, data: sub.items.data.map((i: Obj) => ({ id: ctx.id('il', i.id), object: 'line_item', amount: amount === 0 ? 0 : i.price.unit_amount * i.quantity, currency: sub.currency, quantity: i.quantity, period: { start, end }, pricing: { price_details: { price: i.price.id, product: i.price.product } } })) },
    };
    invoices.set(inv.id, inv);
    invoicePayments.set(inv.id, []);
    return inv;
  };
  /** Charges an open invoice off-session with the subscription's default card; Stripe's events of the attempt. */
  const attempt = (key: string, sub: Obj, inv: Obj, decline: boolean, paymentMethod?: string): FakeStripeEvent[] => {
    const pm = ctx.methods.get(paymentMethod ?? sub.default_payment_method);
    const payments = invoicePayments.get(inv.id)!;
    let pi = payments[0] ? ctx.intents.get(payments[0].payment.payment_intent) : undefined;
    if (!pi) {
      const piId = ctx.id('pi', inv.id);
      pi = { id: piId, object: 'payment_intent', amount: inv.amount_due, amount_received: 0, currency: inv.currency, customer: sub.customer, status: 'requires_payment_method', capture_method: 'automatic', metadata: {}, next_action: null, last_payment_error: null, payment_method: pm?.id ?? null, client_secret: `${piId}_secret` };
      ctx.intents.set(piId, pi);
      payments.push({ id: ctx.id('inpay', inv.id), object: 'invoice_payment', invoice: inv.id, is_default: true, status: 'open', amount_paid: null, amount_requested: inv.amount_due, currency: inv.currency, payment: { type: 'payment_intent', payment_intent: piId } });
    }
    inv.attempt_count += 1;
    inv.attempted = true;
    pi.payment_method = pm?.id ?? null; // this attempt's card (an invoice paid with a new card)
    const out: FakeStripeEvent[] = [];
    const fails = decline || !pm || pm.customer !== sub.customer || [DECLINE, CHARGES_FAIL_CARD, THREE_DS].includes(pm.number);
    const before = { status: sub.status };
    if (fails) {
      const code = pm?.number === THREE_DS ? 'authentication_required' : 'card_declined';
      Object.assign(pi, { status: 'requires_payment_method', last_payment_error: { code, decline_code: code === 'card_declined' ? 'generic_decline' : null, message: 'Your card was declined.', payment_method: { id: pm?.id } } });
      inv.next_payment_attempt = inv.attempt_count < 4 ? now() + 3 * 86_400 : null;
      out.push(event(key, 'payment_intent.payment_failed', pi), event(key, 'invoice.payment_failed', inv));
      sub.status = 'past_due';
    } else {
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, last_payment_error: null });
      Object.assign(inv, { status: 'paid', amount_paid: inv.amount_due, amount_remaining: 0, next_payment_attempt: null, status_transitions: { paid_at: now() } });
      payments[0]!.status = 'paid';
      payments[0]!.amount_paid = inv.amount_due;
      out.push(event(key, 'payment_intent.succeeded', pi), event(key, 'invoice.paid', inv));
      sub.status = 'active';
    }
    if (before.status !== sub.status) out.push(event(key, 'customer.subscription.updated', pub(sub), before));
    return out;
  };

  /** A SetupIntent confirmed with a card: declined (402, as Stripe), authentication asked, or succeeded (the card attached to its customer). */
  const confirmSetup = (res: ServerResponse, si: Obj, pm: { id: string; number: string; customer?: string }, returnUrl?: string): void => {
    si.payment_method = pm.id;
    if (pm.number === DECLINE) {
      Object.assign(si, { status: 'requires_payment_method', last_setup_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } });
      return ctx.stripeError(res, 402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', setup_intent: { ...si, key: undefined } });
    }
    if (pm.number === THREE_DS) Object.assign(si, { status: 'requires_action', next_action: { type: 'redirect_to_url', redirect_to_url: { url: null, return_url: returnUrl ?? null } } });
    else {
      Object.assign(si, { status: 'succeeded', last_setup_error: null, next_action: null });
      if (si.customer) pm.customer = si.customer;
    }
    ctx.json(res, 200, { ...si, key: undefined });
  };
  const required = (res: ServerResponse, param: string) => ctx.stripeError(res, 400, { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` });
  const missing = (res: ServerResponse, what: string, id: string) => ctx.stripeError(res, 404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'` });

  const handle: FakeStripeBilling['handle'] = (method, path, query, form, key, res) => {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/customers') {
      const c = { id: ctx.id('cus', JSON.stringify(form)), object: 'customer', key, created: now(), email: form.email ?? null, metadata: metadataOf(form), invoice_settings: { default_payment_method: null } };
      customers.set(c.id, c);
      ctx.json(res, 200, { ...c, key: undefined });
      return true;
    }
    if (method === 'GET' && (m = /^\/v1\/customers\/(cus_[0-9a-f]+)$/.exec(path))) {
      const c = customers.get(m[1]!);
      if (!c || c.key !== key) missing(res, 'customer', m[1]!);
      else ctx.json(res, 200, { ...c, key: undefined });
      return true;
    }
    if (method === 'POST' && path === '/v1/setup_intents') {
      const customer = customers.get(form.customer ?? '');
      const pm = form.payment_method ? ctx.methods.get(form.payment_method) : undefined;
      if (form.customer && (!customer || customer.key !== key)) return missing(res, 'customer', form.customer), true;
      if (form.payment_method && !pm) return missing(res, 'PaymentMethod', form.payment_method), true;
      const id = ctx.id('seti', JSON.stringify(form));
      const si: Obj = { id, object: 'setup_intent', client_secret: `${id}_secret_${createHash('sha256').update(id).digest('hex').slice(0, 16)}`, customer: form.customer ?? null, payment_method: pm?.id ?? null, usage: form.usage ?? 'off_session', status: pm ? 'requires_confirmation' : 'requires_payment_method', metadata: metadataOf(form), last_setup_error: null, next_action: null, key };
      setupIntents.set(si.id, si);
      if (form.confirm === 'true' && pm) return confirmSetup(res, si, pm, form.return_url), true;
      ctx.json(res, 200, { ...si, key: undefined });
      return true;
    }
    if ((m = /^\/v1\/setup_intents\/(seti_[0-9a-f]+)$/.exec(path)) && method === 'GET') {
      const si = setupIntents.get(m[1]!);
      if (!si || si.key !== key) return missing(res, 'setup_intent', m[1]!), true;
      ctx.json(res, 200, { ...si, key: undefined });
      return true;
    }
    if ((m = /^\/v1\/setup_intents\/(seti_[0-9a-f]+)\/confirm$/.exec(path)) && method === 'POST') {
      // Stripe.js: the publishable key and the client secret (the merchant's server: its secret key).
      const si = setupIntents.get(m[1]!);
      const allowed = si && (/^pk_/.test(key) ? form.client_secret === si.client_secret : si.key === key);
      if (!si || !allowed) return missing(res, 'setup_intent', m[1]!), true;
      if (si.status !== 'requires_payment_method' && si.status !== 'requires_confirmation') {
        return ctx.stripeError(res, 400, { type: 'invalid_request_error', code: 'setup_intent_unexpected_state', message: `This SetupIntent's status is ${si.status}.`, setup_intent: { ...si, key: undefined } }), true;
      }
      const pm = ctx.methods.get(form.payment_method ?? si.payment_method ?? '');
      if (!pm) return missing(res, 'PaymentMethod', form.payment_method ?? ''), true;
      return confirmSetup(res, si, pm, form.return_url), true;
    }
    if ((m = /^\/v1\/customers\/(cus_[0-9a-f]+)$/.exec(path)) && method === 'POST') {
      const c = customers.get(m[1]!);
      if (!c || c.key !== key) return missing(res, 'customer', m[1]!), true;
      const pmId = form['invoice_settings[default_payment_method]'];
      if (pmId !== undefined) {
        if (ctx.methods.get(pmId)?.customer !== c.id) return ctx.stripeError(res, 400, { type: 'invalid_request_error', param: 'invoice_settings[default_payment_method]', message: `No such PaymentMethod: '${pmId}'; it must be attached to the customer.` }), true;
        c.invoice_settings = { default_payment_method: pmId };
      }
      ctx.json(res, 200, { ...c, key: undefined });
      return true;
    }
    if ((m = /^\/v1\/invoices\/(in_[0-9a-f]+)(\/pay)?$/.exec(path))) {
      const inv = invoices.get(m[1]!);
      const sub = subscriptions.get(inv?.parent.subscription_details.subscription ?? '');
      if (!inv || !sub || sub.key !== key) return missing(res, 'invoice', m[1]!), true;
      if (method === 'GET' && !m[2]) return ctx.json(res, 200, inv), true;
      if (method !== 'POST' || !m[2]) return false;
      if (inv.status !== 'open') return ctx.stripeError(res, 400, { type: 'invalid_request_error', code: 'invoice_not_open', message: 'Invoice is already paid.' }), true;
      const out = attempt(key, sub, inv, false, form.payment_method);
      if (inv.status !== 'paid') {
        const pi = ctx.intents.get(invoicePayments.get(inv.id)![0]!.payment.payment_intent)!;
        ctx.stripeError(res, 402, { type: 'card_error', code: pi.last_payment_error?.code ?? 'card_declined', decline_code: pi.last_payment_error?.decline_code ?? null, message: 'Your card was declined.', payment_intent: pi });
      } else ctx.json(res, 200, inv);
      void (async () => { for (const e of out) await deliver(e).catch(() => undefined); })();
      return true;
    }
    if (method === 'POST' && path === '/v1/products') {
      if (!form.name) return required(res, 'name'), true;
      const p = { id: ctx.id('prod', form.name), object: 'product', name: form.name, active: true, metadata: metadataOf(form), key };
      products.set(p.id, p);
      ctx.json(res, 200, { ...p, key: undefined });
      return true;
    }
    if (method === 'POST' && path === '/v1/subscriptions') {
      const customer = customers.get(form.customer ?? '');
      if (!customer || customer.key !== key) return missing(res, 'customer', form.customer ?? ''), true;
      const pm = ctx.methods.get(form.default_payment_method ?? '');
      if (form.default_payment_method && pm?.customer !== customer.id) {
        ctx.stripeError(res, 400, { type: 'invalid_request_error', param: 'default_payment_method', message: `The customer does not have a payment method with the ID ${form.default_payment_method}. The payment method must be attached to the customer.` });
        return true;
      }
      const items: Obj[] = [];
      for (let i = 0; form[`items[${i}][price_data][currency]`] !== undefined || form[`items[${i}][price]`] !== undefined; i += 1) {
        const p = (f: string) => form[`items[${i}][price_data]${f}`];
        const product = products.get(p('[product]') ?? '');
        if (!product) return missing(res, 'product', p('[product]') ?? ''), true;
        if (!p('[recurring][interval]')) return required(res, `items[${i}][price_data][recurring]`), true;
        items.push({ id: ctx.id('si', `${i}`), object: 'subscription_item', quantity: Number(form[`items[${i}][quantity]`] ?? 1), price: { id: ctx.id('price', `${i}`), object: 'price', currency: p('[currency]'), unit_amount: Number(p('[unit_amount]')), product: product.id, recurring: { interval: p('[recurring][interval]'), interval_count: Number(p('[recurring][interval_count]') ?? 1) } } });
      }
      if (items.length === 0) return required(res, 'items'), true;
      const trialEnd = form.trial_end ? Number(form.trial_end) : null;
      if (trialEnd !== null && trialEnd <= now()) return ctx.stripeError(res, 400, { type: 'invalid_request_error', param: 'trial_end', message: 'Invalid timestamp: must be an integer Unix timestamp in the future.' }), true;
      const start = now();
      const anchor = trialEnd ?? start;
      const r = items[0]!.price.recurring;
      for (const it of items) Object.assign(it, { current_period_start: start, current_period_end: trialEnd ?? addIntervals(anchor, r.interval, r.interval_count, 1) });
      const sub: Obj = {
        id: ctx.id('sub', JSON.stringify(form)), object: 'subscription', customer: customer.id, currency: items[0]!.price.currency, status: trialEnd ? 'trialing' : 'active',
        default_payment_method: form.default_payment_method ?? null, billing_cycle_anchor: anchor, trial_start: trialEnd ? start : null, trial_end: trialEnd,
        cancel_at_period_end: false, canceled_at: null, ended_at: null, created: start, metadata: metadataOf(form), latest_invoice: null,
        items: { object: 'list', has_more: false, data: items }, cycle: 0, key,
      };
      subscriptions.set(sub.id, sub);
      // Stripe's first invoice: 0 for a trial (paid at once), else the first period charged now.
      const first = makeInvoice(sub, 'subscription_create', start, trialEnd ?? addIntervals(anchor, r.interval, r.interval_count, 1), trialEnd ? 0 : amountOf(sub));
      sub.latest_invoice = first.id;
      const created = [event(key, 'customer.subscription.created', pub(sub))];
      if (trialEnd) {
        Object.assign(first, { status: 'paid', attempted: true, attempt_count: 0 });
        created.push(event(key, 'invoice.paid', first));
      } else created.push(...attempt(key, sub, first, false));
      ctx.json(res, 200, pub(sub));
      void (async () => { for (const e of created) await deliver(e).catch(() => undefined); })();
      return true;
    }
    if ((m = /^\/v1\/subscriptions\/(sub_[0-9a-f]+)$/.exec(path)) && method === 'POST') {
      const sub = subscriptions.get(m[1]!);
      if (!sub || sub.key !== key) return missing(res, 'subscription', m[1]!), true;
      if (sub.status === 'canceled') return ctx.stripeError(res, 400, { type: 'invalid_request_error', message: 'A canceled subscription can only update its cancellation_details and metadata.' }), true;
      if (form.default_payment_method !== undefined) {
        if (ctx.methods.get(form.default_payment_method)?.customer !== sub.customer) return ctx.stripeError(res, 400, { type: 'invalid_request_error', param: 'default_payment_method', message: `The customer does not have a payment method with the ID ${form.default_payment_method}. The payment method must be attached to the customer.` }), true;
        sub.default_payment_method = form.default_payment_method;
      }
      if (form.cancel_at_period_end !== undefined && (form.cancel_at_period_end === 'true') !== sub.cancel_at_period_end) {
        const previous = { cancel_at_period_end: sub.cancel_at_period_end };
        sub.cancel_at_period_end = form.cancel_at_period_end === 'true';
        const e = event(key, 'customer.subscription.updated', pub(sub), previous);
        void deliver(e).catch(() => undefined);
      }
      ctx.json(res, 200, pub(sub));
      return true;
    }
    if ((m = /^\/v1\/subscriptions\/(sub_[0-9a-f]+)$/.exec(path)) && (method === 'GET' || method === 'DELETE')) {
      const sub = subscriptions.get(m[1]!);
      if (!sub || sub.key !== key) return missing(res, 'subscription', m[1]!), true;
      if (method === 'DELETE' && sub.status !== 'canceled') {
        Object.assign(sub, { status: 'canceled', canceled_at: now(), ended_at: now() });
        const e = event(key, 'customer.subscription.deleted', pub(sub));
        void deliver(e).catch(() => undefined);
      }
      ctx.json(res, 200, pub(sub));
      return true;
    }
    if (method === 'GET' && path === '/v1/subscriptions') {
      const status = query.get('status');
      const data = [...subscriptions.values()].filter((x) => x.key === key && (!query.get('customer') || x.customer === query.get('customer')) && (status === 'all' || (status ? x.status === status : x.status !== 'canceled')));
      ctx.json(res, 200, { object: 'list', url: '/v1/subscriptions', has_more: false, data: data.map(pub) });
      return true;
    }
    if (method === 'GET' && path === '/v1/invoice_payments') {
      const inv = invoices.get(query.get('invoice') ?? '');
      ctx.json(res, 200, { object: 'list', url: '/v1/invoice_payments', has_more: false, data: inv ? (invoicePayments.get(inv.id) ?? []) : [] });
      return true;
    }
    return false;
  };

  return {
    customers, setupIntents, subscriptions, invoices, events, handle, deliver, sign,
    addWebhookEndpoint(key, url, secret) {
      endpoints.set(key, [...(endpoints.get(key) ?? []), { url, secret }]);
    },
    async retryInvoice(invoiceId, opts = {}) {
      const invoice = invoices.get(invoiceId);
      const sub = subscriptions.get(invoice?.parent.subscription_details.subscription ?? '');
      if (!invoice || !sub || invoice.status !== 'open') throw new Error(`fake Stripe: no open invoice ${invoiceId}`);
      const out = attempt(sub.key, sub, invoice, opts.decline === true);
      for (const e of out) await deliver(e);
      return { invoice, events: out };
    },
    async advance(subscriptionId, opts = {}) {
      const sub = subscriptions.get(subscriptionId);
      if (!sub) throw new Error(`fake Stripe: no subscription ${subscriptionId}`);
      if (sub.status === 'canceled') throw new Error(`fake Stripe: ${subscriptionId} is canceled`);
      if (sub.cancel_at_period_end) {
        // The period ended on a subscription set to cancel: Stripe ends it, no invoice.
        Object.assign(sub, { status: 'canceled', canceled_at: now(), ended_at: now() });
        const ended = event(sub.key, 'customer.subscription.deleted', pub(sub));
        await deliver(ended);
        return { invoice: {}, events: [ended] };
      }
      const r = sub.items.data[0].price.recurring;
      const start = addIntervals(sub.billing_cycle_anchor, r.interval, r.interval_count, sub.cycle);
      const end = addIntervals(sub.billing_cycle_anchor, r.interval, r.interval_count, sub.cycle + 1);
      sub.cycle += 1;
      for (const it of sub.items.data) Object.assign(it, { current_period_start: start, current_period_end: end });
      const invoice = makeInvoice(sub, 'subscription_cycle', start, end, amountOf(sub));
      sub.latest_invoice = invoice.id;
      const out = attempt(sub.key, sub, invoice, opts.decline === true);
      for (const e of out) await deliver(e);
      return { invoice, events: out };
    },
  };
}
