// The hosted checkout page's HTTP surface through the gateway, as a buyer's browser meets it:
// the page (GET /checkout/:id?cs=…), its public view and the pay / 3-D Secure calls, with the
// sandbox PSP's test cards. A secret that is missing, wrong or another session's is a 404
// that says nothing about whether the session exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecretFor } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  threeDS: '4000002760003184',
  processing: '4000000000000077',
};

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url status } }`;
const EXPIRE = `mutation($id: ID!) { expireCheckoutSession(id: $id) { id status } }`;

interface Session {
  id: string;
  url: string;
  secret: string;
}

describe('hosted checkout page: HTTP', () => {
  let handoff: RunningHandoff;
  let merchant: GqlClient;
  let admin: GqlClient;
  let merchantId: string;
  let base: string;

  async function newSession(overrides: Record<string, unknown> = {}): Promise<Session> {
    const input = {
      lineItems: [
        { name: '30GB Rolling Monthly', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 },
        { name: 'SIM card', unitAmount: { amountMinor: 250, currency: 'GBP' }, quantity: 2 },
      ],
      successUrl: 'https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example/cart',
      customerEmail: 'buyer@example.com',
      metadata: { order: 'ord_42' },
      ...overrides,
    };
    const s = (await merchant.ok(CREATE_SESSION, { input })).createCheckoutSession;
    const secret = new URL(s.url).searchParams.get('cs')!;
    return { id: s.id, url: s.url, secret };
  }

  const view = (s: Session, secret = s.secret, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/checkout/${s.id}`, { headers: { authorization: `Bearer ${secret}`, ...headers } });

  async function post(s: Session, path: string, body: unknown, secret = s.secret) {
    const res = await fetch(`${base}/api/checkout/${s.id}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const card = (number: string) => ({ card: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } });
  const pay = (s: Session, number: string) => post(s, 'pay', card(number));

  async function until(s: Session, done: (v: Record<string, any>) => boolean, ms = 20_000) {
    const deadline = Date.now() + ms;
    let last: Record<string, any> = {};
    while (Date.now() < deadline) {
      last = (await (await view(s)).json()) as Record<string, any>;
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out; last view: ${JSON.stringify({ status: last.status, payment: last.payment })}`);
  }

  beforeAll(async () => {
    handoff = await startTestHandoff();
    base = handoff.gatewayUrl;
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const input = {
      name: 'SMARTY',
      country: 'GB',
      defaultCurrency: 'GBP',
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
    };
    const m = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant;
    await admin.ok(CONNECT, { id: m.id });
    merchantId = m.id;
    merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: m.id } })).createApiKey.key);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('serves the page with the order, formatted totals, labelled card fields and strict headers', async () => {
    const s = await newSession();
    expect(s.url.startsWith(`${base}/checkout/${s.id}?cs=`)).toBe(true);
    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('SMARTY');
    expect(html).toContain('30GB Rolling Monthly');
    expect(html).toContain('£15.00'); // 10.00 + 2 × 2.50
    expect(html).toContain('£5.00');
    for (const id of ['card-name', 'card-number', 'card-expiry', 'card-cvc']) expect(html).toContain(`<label for="${id}">`);
    expect(html).not.toMatch(/https?:\/\/(?!shop\.example|127\.0\.0\.1)/); // no third-party assets
    expect(html).not.toContain('buyer@example.com');
    for (const asset of ['checkout.js', 'checkout.css', 'payment-watch.js']) {
      const a = await fetch(`${base}/checkout/assets/${asset}`);
      expect(a.status).toBe(200);
      expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 404, the same page, for a missing, wrong or other session secret and for an unknown session', async () => {
    const s = await newSession();
    const other = await newSession();
    const unknownId = '01J0000000000000000000NONE';
    const forged = clientSecretFor(unknownId, handoff.env.HANDOFF_INTERNAL_SECRET!);
    const urls = [
      `${base}/checkout/${s.id}`,
      `${base}/checkout/${s.id}?cs=nope`,
      `${base}/checkout/${s.id}?cs=${encodeURIComponent(`${s.id}_secret_AAAA`)}`,
      `${base}/checkout/${s.id}?cs=${encodeURIComponent(other.secret)}`,
      `${base}/checkout/${unknownId}?cs=${encodeURIComponent(forged)}`,
    ];
    const bodies = new Set<string>();
    for (const url of urls) {
      const res = await fetch(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).not.toContain('SMARTY');

    for (const secret of ['', 'nope', other.secret]) {
      const res = await view(s, secret);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Checkout session not found.', code: 'CHECKOUT_SESSION_NOT_FOUND' });
    }
    const unknown = await fetch(`${base}/api/checkout/${unknownId}`, { headers: { authorization: `Bearer ${forged}` } });
    expect(unknown.status).toBe(404);
    expect((await post(s, 'pay', card(CARDS.ok), other.secret)).status).toBe(404);
    expect((await post(s, 'three-d-secure', { approved: true }, 'nope')).status).toBe(404);
  });

  it('gives the public view: seed 002 fields, exact money, no keys, email, metadata or attribution', async () => {
    const s = await newSession();
    const byHeader = await view(s);
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers.get('cache-control')).toBe('no-store');
    const v = (await byHeader.json()) as Record<string, any>;
    const byQuery = await fetch(`${base}/api/checkout/${s.id}?cs=${encodeURIComponent(s.secret)}`);
    expect(byQuery.status).toBe(200);
    expect(v).toMatchObject({
      id: s.id,
      object: 'checkout.session',
      status: 'open',
      mode: 'payment',
      merchant: { name: 'SMARTY' },
      currency: 'GBP',
      amount_subtotal: 1500,
      amount_total: 1500,
      success_url: `https://shop.example/thanks?session_id=${s.id}`,
      cancel_url: 'https://shop.example/cart',
      totals: { total: { amount_minor: 1500, amount: '15.00', currency: 'GBP', display: '£15.00' } },
      payment: { status: 'requires_payment_method', next_action: null, last_payment_error: null },
    });
    expect(v.line_items).toEqual([
      expect.objectContaining({ name: '30GB Rolling Monthly', quantity: 1, amount_total: expect.objectContaining({ amount: '10.00' }) }),
      expect.objectContaining({ name: 'SIM card', quantity: 2, unit_amount: expect.objectContaining({ amount: '2.50' }) }),
    ]);
    expect(typeof v.payment_intent).toBe('string');
    expect(typeof v.expires_at).toBe('number');
    const text = JSON.stringify(v);
    for (const secret of [s.secret, 'buyer@example.com', 'ord_42', 'aap', 'whsec_', 'sk_', 'commission']) expect(text).not.toContain(secret);
  });

  it('formats other currencies from the exact decimal (XOF has no minor unit)', async () => {
    const s = await newSession({ lineItems: [{ name: 'Premium Plan', unitAmount: { amountMinor: 50000, currency: 'XOF' }, quantity: 1 }] });
    const v = (await (await view(s, s.secret, { 'accept-language': 'fr-SN,fr;q=0.9' })).json()) as Record<string, any>;
    expect(v.totals.total).toMatchObject({ amount_minor: 50000, amount: '50000', currency: 'XOF' });
    expect(v.totals.total.display.replace(/\s/g, ' ')).toMatch(/^50\s000\sF\s?CFA$/);
  });

  it('rejects bad pay input with 400 and the field, before any charge', async () => {
    const s = await newSession();
    const year = new Date().getFullYear();
    const cases: Array<[unknown, string]> = [
      [{}, 'card'],
      [{ card: { number: '4242424242424241', expMonth: 12, expYear: year + 1, cvc: '123' } }, 'card.number'],
      [{ card: { number: CARDS.ok, expMonth: 13, expYear: year + 1, cvc: '123' } }, 'card.expMonth'],
      [{ card: { number: CARDS.ok, expMonth: 1, expYear: year - 1, cvc: '123' } }, 'card.expYear'],
      [{ card: { number: CARDS.ok, expMonth: 12, expYear: year + 1, cvc: '12a' } }, 'card.cvc'],
      [{ testCard: 'not a card' }, 'testCard'],
    ];
    for (const [body, field] of cases) {
      const r = await post(s, 'pay', body);
      expect(r.status, field).toBe(400);
      expect(r.body).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(JSON.stringify(r.body)).not.toContain('4242424242424241');
    }
    const notJson = await post(s, 'pay', '{"card":');
    expect(notJson).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    expect((await post(s, 'three-d-secure', { approved: 'yes' })).status).toBe(400);
    expect(((await (await view(s)).json()) as Record<string, any>).payment.status).toBe('requires_payment_method');
  });

  it('pays with 4242: succeeded, redirect URL with the session id, then the session is complete and takes no second payment', async () => {
    const s = await newSession();
    const r = await pay(s, CARDS.ok);
    expect(r.status).toBe(200);
    expect(r.body.payment).toMatchObject({ status: 'succeeded', last_payment_error: null });
    expect(r.body.redirect_url).toBe(`https://shop.example/thanks?session_id=${s.id}`);
    expect(JSON.stringify(r.body)).not.toContain(CARDS.ok);
    await until(s, (v) => v.status === 'complete');
    const again = await pay(s, CARDS.ok);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', session_status: 'complete' });
    expect(await (await fetch(s.url)).text()).toContain('already paid');
  });

  it('declines plainly (402 with the reason), keeps the session payable, and a good card then succeeds', async () => {
    const s = await newSession();
    const declined = await pay(s, CARDS.declined);
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({
      code: 'PAYMENT_DECLINED',
      reason: 'payment_declined:generic_decline',
      payment: { status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } },
    });
    expect(declined.body.payment.last_payment_error.display).toMatch(/declined/i);

    const poor = await pay(s, CARDS.insufficient);
    expect(poor.status).toBe(402);
    expect(poor.body).toMatchObject({ reason: 'payment_declined:insufficient_funds' });
    expect(poor.body.payment.last_payment_error.display).toMatch(/insufficient funds/i);
    expect(await (await fetch(s.url)).text()).toContain('insufficient funds');

    const ok = await pay(s, CARDS.ok);
    expect(ok.status).toBe(200);
    expect(ok.body.payment.status).toBe('succeeded');
  });

  it('3-D Secure: requires_action with a challenge, approved → succeeded', async () => {
    const s = await newSession();
    const r = await pay(s, CARDS.threeDS);
    expect(r.status).toBe(200);
    expect(r.body.payment).toMatchObject({ status: 'requires_action', next_action: { type: 'three_d_secure' } });
    expect(r.body.redirect_url).toBeNull();
    expect(await (await fetch(s.url)).text()).toContain('Confirm it’s you');
    const done = await post(s, 'three-d-secure', { approved: true });
    expect(done.status).toBe(200);
    expect(done.body.payment.status).toBe('succeeded');
    expect(done.body.redirect_url).toBe(`https://shop.example/thanks?session_id=${s.id}`);
  });

  it('3-D Secure failed → 402 with the reason, back to the card form; a second answer is a 409', async () => {
    const s = await newSession();
    await pay(s, CARDS.threeDS);
    const failed = await post(s, 'three-d-secure', { approved: false });
    expect(failed.status).toBe(402);
    expect(failed.body).toMatchObject({ code: 'PAYMENT_DECLINED', payment: { status: 'requires_payment_method' } });
    expect(failed.body.reason).toMatch(/^payment_declined:/);
    expect(failed.body.payment.last_payment_error.display).toMatch(/3-D Secure/);
    const again = await post(s, 'three-d-secure', { approved: true });
    expect(again.status).toBe(409);
  });

  it('the processing card answers processing, and the view later reads succeeded', async () => {
    const s = await newSession();
    const r = await pay(s, CARDS.processing);
    expect(r.status).toBe(200);
    expect(r.body.payment.status).toBe('processing');
    expect(r.body.redirect_url).toBeNull();
    const v = await until(s, (x) => x.payment?.status === 'succeeded', 30_000);
    expect(v.payment.status).toBe('succeeded');
  });

  it('an expired session says so and takes no payment (409)', async () => {
    const s = await newSession();
    await merchant.ok(EXPIRE, { id: s.id });
    const v = (await (await view(s)).json()) as Record<string, any>;
    expect(v.status).toBe('expired');
    const r = await pay(s, CARDS.ok);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'CHECKOUT_SESSION_EXPIRED', session_status: 'expired' });
    const page = await fetch(s.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('This checkout has expired');
    expect(html).not.toContain('id="pay-form"');
  });

  it("its client secret on /graphql reaches only what the page shows: the merchant's metadata, the AAP code, commission terms… are refused; the page still works", async () => {
    // An agent checkout: its payment intent's metadata carries the signed AAP code and every id.
    const offerId = (await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
    })).createOffer.id;
    const agentId = (await admin.ok(`mutation { registerAgent(input: { name: "Shopper", builderName: "Acme Agents" }) { id } }`)).registerAgent.id;
    const agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    const sessionId = (await agent.ok(`mutation { startAgentSession { id } }`)).startAgentSession.id;
    const recommendationId = (await agent.ok(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: sessionId, o: offerId })).recommend.id;
    const out = (await agent.ok(`mutation($input: CheckoutInput!) { checkout(input: $input) { transactionId paymentId checkoutUrl } }`, {
      input: { sessionId, recommendationId },
    })).checkout;
    const s: Session = { id: out.transactionId, url: out.checkoutUrl, secret: new URL(out.checkoutUrl).searchParams.get('cs')! };
    const page = new GqlClient(handoff.graphqlUrl, s.secret);
    const vars = { id: s.id, pi: out.paymentId };
    const reads: Array<[string, string]> = [
      ['PaymentIntent.metadata', `query($id: ID!) { checkoutSession(id: $id) { paymentIntent { metadata } } }`],
      ['Merchant.commissionTerms', `query($id: ID!) { checkoutSession(id: $id) { merchant { name commissionTerms { type cpa { amount } } } } }`],
      ['Merchant.validationPeriodDays', `query($id: ID!) { checkoutSession(id: $id) { merchant { validationPeriodDays } } }`],
      ['PaymentIntent.providerPaymentId', `query($id: ID!) { checkoutSession(id: $id) { paymentIntent { id providerPaymentId } } }`],
      ['PaymentIntent.events', `query($id: ID!) { checkoutSession(id: $id) { paymentIntent { events { type } } } }`],
      ['CheckoutSession.metadata', `query($id: ID!) { checkoutSession(id: $id) { metadata customerEmail } }`],
      ['CheckoutSession.attribution', `query($id: ID!) { checkoutSession(id: $id) { attribution { aapCode recommendationId agentId } } }`],
      ['Query.paymentIntent', `query($pi: ID!) { paymentIntent(id: $pi) { metadata } }`],
    ];
    // The merchant asks each first: a text the gateway has already prepared is held to the list all the same.
    expect(JSON.stringify((await merchant.ok(reads[0]![1], vars)).checkoutSession.paymentIntent.metadata)).toContain('aap://');
    for (const [coordinate, query] of reads) {
      await merchant.request(query, vars);
      const res = await page.request(query, vars);
      expect(res.status, coordinate).toBe(403);
      expect(res.data ?? null, coordinate).toBeNull();
      expect(res.errors?.[0]?.extensions, coordinate).toMatchObject({ code: 'FORBIDDEN', reason: 'client_secret:field_not_allowed' });
      expect(res.errors?.[0]?.message, coordinate).toContain(coordinate);
      expect(JSON.stringify(res)).not.toContain('aap://');
    }

    // The page itself: its view, and paying.
    const v = await view(s);
    expect(v.status).toBe(200);
    expect(await v.json()).toMatchObject({ id: s.id, status: 'open', merchant: { name: 'SMARTY' }, amount_total: 1000, payment: { status: 'requires_payment_method' } });
    const paid = await pay(s, CARDS.ok);
    expect(paid.status).toBe(200);
    expect(paid.body.payment).toMatchObject({ status: 'succeeded' });
    expect(JSON.stringify(paid.body)).not.toContain('aap://');
  });
});
