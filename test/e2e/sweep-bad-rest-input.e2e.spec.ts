// Bad input on every REST edge (issue 16, item 9): the REST adapters answer malformed bodies in
// their own words, never with the GraphQL they are built on (`Variable "$input" got invalid
// value …`). For each route, every field of its body gets wrong types, unknown keys (a
// Stripe-style `price_data`), `1e309`, negatives, "NaN" strings, nested arrays and huge strings,
// and the body itself gets non-objects: each answer is 400 `{ error, code: BAD_USER_INPUT }` whose
// message names the field in the route's own terms, with no GraphQL wording, and nothing is
// written. Its own database, so the row counts are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { diffCounts, privateDatabase, RowCounter } from './sweep/db.js';
import { makeTenant, type Tenant } from './sweep/tenants.js';

/** JSON.stringify cannot write 1e309 (it is Infinity once parsed): this placeholder is swapped for it in the raw text. */
const OVERFLOW = '__HANDOFF_1E309__';
const raw = (body: unknown) => JSON.stringify(body).replaceAll(`"${OVERFLOW}"`, '1e309');

/** A huge string that still fits the route's body limit (a bigger body is a 413, checked on its own). */
const huge = (limitBytes: number) => 'x'.repeat(Math.min(20_000, limitBytes - 2048));
const STRIPE_PRICE_DATA = { currency: 'gbp', unit_amount: 1000, product_data: { name: 'SIM card' } };

type Kind = 'string' | 'integer' | 'decimal' | 'boolean' | 'json' | 'object';

/** Values that are wrong for a field of this kind, by name. */
function badValues(kind: Kind, HUGE: string): Array<[string, unknown]> {
  const common: Array<[string, unknown]> = [
    ['nested array', [[1, [2]]]],
    ['1e309', OVERFLOW],
    ['object', { price_data: STRIPE_PRICE_DATA }],
  ];
  switch (kind) {
    case 'string':
      return [...common, ['number', 12345], ['negative', -1], ['boolean', true], ['huge string', HUGE]];
    case 'integer':
      return [...common, ['NaN string', 'NaN'], ['numeric string', '1000'], ['fraction', 10.5], ['boolean', false], ['huge string', HUGE], ['beyond 2^53', 2 ** 60]];
    case 'decimal':
      return [...common, ['NaN string', 'NaN'], ['negative', -1], ['exponent string', '1e3'], ['boolean', true], ['huge string', HUGE]];
    case 'boolean':
      return [...common, ['string', 'yes'], ['number', 1], ['NaN string', 'NaN']];
    case 'json':
      return [['string', 'NaN'], ['number', -1], ['nested array', [[1, [2]]]], ['1e309 inside', { n: OVERFLOW }], ['deep', deep(40)], ['boolean', true]];
    case 'object':
      return [['string', 'NaN'], ['number', 1], ['nested array', [[1, [2]]]], ['1e309', OVERFLOW], ['boolean', true]];
  }
}

/** The text without the route's own field names (Route.ownWords). */
const ownWordsOut = (route: { ownWords?: string[] }, text: string) => (route.ownWords ?? []).reduce((t, w) => t.replaceAll(w, ''), text);

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

/** A copy of `body` with the value at `path` (dots and [i]) set. */
function withValue(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, any>;
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let at: any = copy;
  for (const k of keys.slice(0, -1)) at = at[k];
  at[keys.at(-1)!] = value;
  return copy;
}

interface Route {
  name: string;
  method: 'POST' | 'PATCH';
  path: () => string;
  auth: () => string;
  /** Headers the route needs besides the key (a PATCH's If-Match). */
  headers?: () => Record<string, string>;
  valid: () => Record<string, unknown>;
  fields: Record<string, Kind>;
  /** The route's body limit (the hosted page's is 8 kB). */
  limitBytes: number;
  /** Where an unknown key goes (besides the top level). */
  nestedObjects?: string[];
  /** The route's own field names that GRAPHQL_WORDING would otherwise take for the graph's (seed 000's camelCase `offerId`). */
  ownWords?: string[];
}

interface Case {
  route: string;
  what: string;
  field: string;
  body: string;
}

const GRAPHQL_WORDING = /Variable "\$|\$input|GraphQL|got invalid value|cannot represent|Expected type|SafeInt|Input\b|lineItems|unitAmount|amountMinor|expiresInSeconds|successUrl|customerEmail|offerId/;

describe('bad input sweep over the REST edges', () => {
  let db: Awaited<ReturnType<typeof privateDatabase>>;
  let handoff: RunningHandoff;
  let tenant: Tenant;
  let counter: RowCounter;
  let hosted: { id: string; secret: string };

  async function settled(): Promise<void> {
    let last = await counter.snapshot();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await counter.snapshot();
      if (!diffCounts(last, now).length) return;
      last = now;
    }
  }

  beforeAll(async () => {
    db = await privateDatabase();
    handoff = await startTestHandoff({ databaseUrl: db.url });
    const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    tenant = await makeTenant(admin, 'Rest', false);
    const s = (await tenant.merchant.ok(`query($id: ID!) { checkoutSession(id: $id) { id url } }`, { id: tenant.ids.CheckoutSession![0] })).checkoutSession;
    hosted = { id: s.id, secret: new URL(s.url).searchParams.get('cs')! };
    counter = await RowCounter.open(handoff.env.DATABASE_URL!);
    await settled();
  }, 90_000);

  afterAll(async () => {
    await counter?.close();
    await handoff?.stop();
    await db?.drop();
  });

  const routes = (): Route[] => [
    {
      name: 'POST /v1/checkout (seed 000)',
      method: 'POST',
      path: () => '/v1/checkout',
      auth: () => tenant.agent.key!,
      valid: () => ({ sessionId: tenant.ids.AgentSession![0], recommendationId: tenant.ids.Recommendation![0], userDetails: { plan: 'sim' } }),
      fields: { sessionId: 'string', recommendationId: 'string', userDetails: 'json' },
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /v1/purchase (seed 000)',
      method: 'POST',
      path: () => '/v1/purchase',
      auth: () => tenant.agent.key!,
      valid: () => ({ recommendationId: tenant.ids.Recommendation![0], sessionId: tenant.ids.AgentSession![0], userDetails: { plan: 'sim' }, delegated_payment_token: 'vt_sweep' }),
      fields: { recommendationId: 'string', sessionId: 'string', userDetails: 'json', delegated_payment_token: 'string' },
      limitBytes: 16 * 1024,
    },
    {
      name: 'POST /v1/sessions (agent)',
      method: 'POST',
      path: () => '/v1/sessions',
      auth: () => tenant.agent.key!,
      valid: () => ({ query: '30GB SIM', ttlSeconds: 600 }),
      fields: { ttlSeconds: 'integer', query: 'string' },
      limitBytes: 16 * 1024,
    },
    {
      name: 'POST /v1/recommend (agent)',
      method: 'POST',
      path: () => '/v1/recommend',
      auth: () => tenant.agent.key!,
      valid: () => ({ sessionId: tenant.ids.AgentSession![0], offerId: tenant.ids.Offer![0] }),
      fields: { sessionId: 'string', offerId: 'string' },
      limitBytes: 16 * 1024,
      ownWords: ['offerId'],
    },
    {
      name: 'POST /v1/agent/webhooks (agent)',
      method: 'POST',
      path: () => '/v1/agent/webhooks',
      auth: () => tenant.agent.key!,
      valid: () => ({ url: 'https://agent.example/hooks', events: ['order_create'], description: 'sweep', enabled: false, secret: `whsec_${'s'.repeat(40)}` }),
      fields: { url: 'string', events: 'object', 'events[0]': 'string', description: 'string', enabled: 'boolean', secret: 'string' },
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /v1/agent/webhooks/test (agent)',
      method: 'POST',
      path: () => '/v1/agent/webhooks/test',
      auth: () => tenant.agent.key!,
      valid: () => ({ endpoint_id: tenant.ids.AgentWebhookEndpoint![0] }),
      fields: { endpoint_id: 'string' },
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /v1/agent/webhooks/deliveries/{id}/replay (agent)',
      method: 'POST',
      path: () => '/v1/agent/webhooks/deliveries/wd_sweep/replay',
      auth: () => tenant.agent.key!,
      valid: () => ({}),
      fields: {},
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /api/v1/checkout/sessions (seed 002)',
      method: 'POST',
      path: () => '/api/v1/checkout/sessions',
      auth: () => tenant.merchant.key!,
      valid: () => ({
        line_items: [{ name: 'Premium Plan', amount: 5000, currency: 'GBP', quantity: 1 }],
        mode: 'payment',
        success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://shop.example/cancel',
        expires_in: 3600,
        customer_email: 'buyer@example.com',
        metadata: { order: 'ord_1' },
      }),
      fields: {
        line_items: 'object',
        'line_items[0]': 'object',
        'line_items[0].name': 'string',
        'line_items[0].amount': 'integer',
        'line_items[0].currency': 'string',
        'line_items[0].quantity': 'integer',
        'line_items[0].offer_id': 'string',
        mode: 'string',
        success_url: 'string',
        cancel_url: 'string',
        expires_in: 'integer',
        customer_email: 'string',
        metadata: 'json',
      },
      limitBytes: 64 * 1024,
      nestedObjects: ['line_items[0]'],
    },
    {
      name: 'POST /v1/conversions (seed 001)',
      method: 'POST',
      path: () => '/v1/conversions',
      auth: () => tenant.merchant.key!,
      valid: () => ({ sessionId: tenant.ids.AgentSession![1], orderReference: 'ORD-SWEEP-1', transactionValue: 10 }),
      fields: { sessionId: 'string', orderReference: 'string', transactionValue: 'decimal' },
      limitBytes: 256 * 1024,
    },
    {
      name: 'POST /v1/conversions/{id}/milestones (seed 001)',
      method: 'POST',
      path: () => `/v1/conversions/${tenant.ids.Conversion![0]}/milestones`,
      auth: () => tenant.merchant.key!,
      valid: () => ({ step: 'order_confirmed', status: 'completed', metadata: { ref: 'BB-1' } }),
      fields: { step: 'string', status: 'string', metadata: 'json' },
      limitBytes: 256 * 1024,
    },
    {
      name: 'POST /api/checkout/{id}/pay (hosted page)',
      method: 'POST',
      path: () => `/api/checkout/${hosted.id}/pay`,
      auth: () => hosted.secret,
      valid: () => ({ card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada' } }),
      fields: { card: 'object', 'card.number': 'string', 'card.expMonth': 'integer', 'card.expYear': 'integer', 'card.cvc': 'string' },
      limitBytes: 8 * 1024,
      nestedObjects: ['card'],
    },
    {
      name: 'POST /api/checkout/{id}/three-d-secure (hosted page)',
      method: 'POST',
      path: () => `/api/checkout/${hosted.id}/three-d-secure`,
      auth: () => hosted.secret,
      valid: () => ({ approved: true }),
      fields: { approved: 'boolean' },
      limitBytes: 8 * 1024,
    },
    ...seed003Routes(),
    // Billing subscription commands (issue 22): the body is checked before the subscription is looked up.
    {
      name: 'POST /v1/subscriptions/{id}/cancel',
      method: 'POST',
      path: () => '/v1/subscriptions/bsub_000000000000000000000000/cancel',
      auth: () => tenant.merchant.key!,
      valid: () => ({ at_period_end: true }),
      fields: { at_period_end: 'boolean' },
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /v1/subscriptions/{id}',
      method: 'POST',
      path: () => '/v1/subscriptions/bsub_000000000000000000000000',
      auth: () => tenant.merchant.key!,
      valid: () => ({ position: 0, quantity: 3, unit_amount: 1500, currency: 'GBP', version: 1 }),
      fields: { position: 'integer', quantity: 'integer', unit_amount: 'integer', currency: 'string', version: 'integer' },
      limitBytes: 64 * 1024,
    },
    {
      name: 'POST /v1/checkout/exports (seed 003 §16)',
      method: 'POST',
      path: () => '/v1/checkout/exports',
      auth: () => tenant.merchant.key!,
      valid: () => ({ type: 'checkout_events', format: 'csv', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', merchant_id: tenant.merchantId }),
      fields: { type: 'string', format: 'string', from: 'string', to: 'string', merchant_id: 'string' },
      limitBytes: 64 * 1024,
    },
  ];

  /** Seed 003's checkout service routes (/v1/checkout/sessions…): every body, in its own snake_case names. */
  const seed003Routes = (): Route[] => {
    const session = () => `/v1/checkout/sessions/${tenant.ids.CheckoutSession![0]}`;
    const merchant = () => tenant.merchant.key!;
    const line = { name: 'Plan', amount: 5000, quantity: 1, offer_id: 'off_1', sku: 'SKU-1', tax_category: 'standard' };
    const lineFields: Record<string, Kind> = {
      line_items: 'object',
      'line_items[0]': 'object',
      'line_items[0].name': 'string',
      'line_items[0].amount': 'integer',
      'line_items[0].quantity': 'integer',
      'line_items[0].offer_id': 'string',
      'line_items[0].sku': 'string',
      'line_items[0].tax_category': 'string',
    };
    const terms = { owner: { type: 'user', id: 'user_1' }, channel: 'web', cart_id: 'cart_1', metadata: { order: 'ord_1' }, options: { capture_mode: 'manual', require_billing_address: true } };
    const termFields: Record<string, Kind> = {
      owner: 'object',
      'owner.type': 'string',
      'owner.id': 'string',
      channel: 'string',
      cart_id: 'string',
      metadata: 'json',
      options: 'object',
      'options.capture_mode': 'string',
      'options.require_billing_address': 'boolean',
    };
    const address = { name: 'Ada', line1: '10 Downing Street', line2: 'Flat 1', city: 'London', state: 'LND', postal_code: 'SW1A 2AA', country: 'GB' };
    const addressFields: Record<string, Kind> = { name: 'string', line1: 'string', line2: 'string', city: 'string', state: 'string', postal_code: 'string', country: 'string' };
    const on = (path: string, valid: Record<string, unknown>, fields: Record<string, Kind>): Route => ({
      name: `POST /v1/checkout/sessions/{id}/${path} (seed 003)`,
      method: 'POST',
      path: () => `${session()}/${path}`,
      auth: merchant,
      valid: () => valid,
      fields,
      limitBytes: 64 * 1024,
    });
    return [
      {
        name: 'POST /v1/checkout/sessions (seed 003)',
        method: 'POST',
        path: () => '/v1/checkout/sessions',
        auth: merchant,
        valid: () => ({ currency: 'GBP', line_items: [line], ...terms, success_url: 'https://shop.example/ok', cancel_url: 'https://shop.example/no', expires_in_seconds: 3600 }),
        fields: { currency: 'string', ...lineFields, ...termFields, success_url: 'string', cancel_url: 'string', expires_in_seconds: 'integer' },
        limitBytes: 64 * 1024,
        nestedObjects: ['line_items[0]', 'owner', 'options'],
      },
      {
        name: 'PATCH /v1/checkout/sessions/{id} (seed 003)',
        method: 'PATCH',
        path: session,
        auth: merchant,
        headers: () => ({ 'if-match': '"2"' }),
        valid: () => ({ version: 2, ...terms, line_items: [line] }),
        fields: { version: 'integer', ...termFields, ...lineFields },
        limitBytes: 64 * 1024,
        nestedObjects: ['line_items[0]', 'owner', 'options'],
      },
      on('customer', { email: 'ada@example.com', phone: '+44 20 7946 0018', customer_id: 'cus_1', save_for_later: true }, { email: 'string', phone: 'string', customer_id: 'string', save_for_later: 'boolean' }),
      on('contact', { email: 'ada@example.com', phone: '+44 20 7946 0018' }, { email: 'string', phone: 'string' }),
      on('shipping-address', address, addressFields),
      on('billing-address', address, addressFields),
      on('select-shipping', { shipping_option_id: 'standard', carrier: 'Royal Mail', service_code: 'tracked48' }, { shipping_option_id: 'string', carrier: 'string', service_code: 'string' }),
      on('pickup-location', { pickup_location_id: 'soho' }, { pickup_location_id: 'string' }),
      on('promotions', { code: 'WELCOME10' }, { code: 'string' }),
      on('apply-giftcard', { code: 'ABCD-EFGH-JKMN-PQRS' }, { code: 'string' }),
      on('apply-store-credit', { amount: 100 }, { amount: 'integer' }),
      on('calculate', { force: true, timeout_ms: 5000 }, { force: 'boolean', timeout_ms: 'integer' }),
      on('select-shipment-plan', { plan: 'single' }, { plan: 'string' }),
      on('refresh', {}, {}),
      on('validate', {}, {}),
      on('split-shipment-plan', {}, {}),
    ];
  };

  function casesOf(route: Route): Case[] {
    const valid = route.valid();
    const cases: Case[] = [];
    for (const [field, kind] of Object.entries(route.fields)) {
      for (const [what, value] of badValues(kind, huge(route.limitBytes))) {
        // A line item or card that is not an object is named by its own path.
        cases.push({ route: route.name, what: `${field} = ${what}`, field, body: raw(withValue(valid, field, value)) });
      }
    }
    cases.push({ route: route.name, what: 'unknown top-level key price_data', field: 'price_data', body: raw({ ...valid, price_data: STRIPE_PRICE_DATA }) });
    for (const at of route.nestedObjects ?? []) {
      const body = withValue(valid, `${at}.price_data`, STRIPE_PRICE_DATA);
      cases.push({ route: route.name, what: `unknown key ${at}.price_data`, field: `${at}.price_data`, body: raw(body) });
    }
    for (const [what, body] of [['a list', [valid]], ['a string', 'NaN'], ['a number', 1e3], ['nested arrays', [[[]]]]] as const) {
      cases.push({ route: route.name, what: `body is ${what}`, field: 'body', body: raw(body) });
    }
    cases.push({ route: route.name, what: 'body is not JSON', field: 'body', body: '{"amount": NaN}' });
    return cases;
  }

  it('answers every malformed body with 400 in the route\'s own words, naming the field, writing nothing', async () => {
    const problems: string[] = [];
    let count = 0;
    const before = await counter.snapshot();
    for (const route of routes()) {
      for (const c of casesOf(route)) {
        count++;
        const res = await fetch(`${handoff.gatewayUrl}${route.path()}`, {
          method: route.method,
          headers: { authorization: `Bearer ${route.auth()}`, 'content-type': 'application/json', ...route.headers?.() },
          body: c.body,
        });
        const text = await res.text();
        let body: { error?: unknown; code?: unknown } = {};
        try {
          body = JSON.parse(text);
        } catch {
          problems.push(`${c.route} ${c.what}: not JSON: ${text.slice(0, 120)}`);
          continue;
        }
        const error = typeof body.error === 'string' ? body.error : '';
        const where = `${c.route} ${c.what}: ${res.status} ${JSON.stringify(body).slice(0, 240)}`;
        if (res.status !== 400) problems.push(`${where} (expected 400)`);
        else if (body.code !== 'BAD_USER_INPUT') problems.push(`${where} (expected code BAD_USER_INPUT)`);
        else if (GRAPHQL_WORDING.test(ownWordsOut(route, text))) problems.push(`${where} (GraphQL wording)`);
        else if (!error.startsWith(`${c.field}`) && !(c.field === 'body' && /body|JSON object/i.test(error))) {
          problems.push(`${where} (does not name ${c.field})`);
        }
      }
    }
    for (const route of routes()) {
      const res = await fetch(`${handoff.gatewayUrl}${route.path()}`, {
        method: route.method,
        headers: { authorization: `Bearer ${route.auth()}`, 'content-type': 'application/json', ...route.headers?.() },
        body: raw(withValue(route.valid(), Object.keys(route.fields).at(-1) ?? 'pad', 'x'.repeat(route.limitBytes + 1))),
      });
      const text = await res.text();
      if (res.status !== 413 || typeof JSON.parse(text).error !== 'string' || GRAPHQL_WORDING.test(ownWordsOut(route, text))) {
        problems.push(`${route.name} over its body limit: ${res.status} ${text.slice(0, 200)} (expected a REST-shaped 413)`);
      }
    }
    await settled();
    const written = diffCounts(before, await counter.snapshot());
    console.log(`REST bad input sweep: ${count} cases over ${routes().length} routes`);
    expect(problems).toEqual([]);
    expect(written).toEqual([]);
    expect(count).toBeGreaterThan(150);
  }, 120_000);

  it('answers the seed 002 examples of the issue in REST terms: price_data, 1e309, negative', async () => {
    const post = async (body: string) => {
      const res = await fetch(`${handoff.gatewayUrl}/api/v1/checkout/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.merchant.key}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const stripe = await post(raw({ line_items: [{ price_data: STRIPE_PRICE_DATA, quantity: 1 }], mode: 'payment' }));
    expect(stripe.status).toBe(400);
    expect(stripe.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'line_items[0].price_data' });
    expect(stripe.body.error).toMatch(/^line_items\[0\]\.price_data: is not a field of this request \(known fields: name, amount, unit_amount, currency, quantity, offer_id\)\.$/);
    const overflow = await post(raw({ line_items: [{ name: 'Plan', amount: OVERFLOW, currency: 'GBP', quantity: 1 }] }));
    expect(overflow).toEqual({
      status: 400,
      body: { error: 'line_items[0].amount: must be an integer, not a number out of range.', code: 'BAD_USER_INPUT', field: 'line_items[0].amount' },
    });
    // The service's own rule, renamed from the graph's lineItems[0].unitAmount.amountMinor.
    const negative = await post(raw({ line_items: [{ name: 'Plan', amount: -5, currency: 'GBP', quantity: 1 }] }));
    expect(negative).toEqual({
      status: 400,
      body: { error: 'line_items[0].amount: must be greater than zero.', code: 'BAD_USER_INPUT', field: 'line_items[0].amount' },
    });
    const quantity = await post(raw({ line_items: [{ name: 'Plan', unit_amount: 500, currency: 'GBP', quantity: 0 }], expires_in: 5 }));
    expect(quantity.status).toBe(400);
    expect(quantity.body.field).toBe('line_items[0].quantity');
    const expiry = await post(raw({ line_items: [{ name: 'Plan', unit_amount: 500, currency: 'GBP', quantity: 1 }], expires_in: 5 }));
    expect(expiry.status).toBe(400);
    expect(expiry.body.field).toBe('expires_in');
    expect(String(expiry.body.error)).toMatch(/^expires_in: /);
  });
});
