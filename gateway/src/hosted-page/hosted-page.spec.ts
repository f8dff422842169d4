// Pure parts of the hosted page: money display, pay input, the public view's URLs and error
// mapping, and HTML escaping.
import { describe, expect, it } from 'vitest';
import { parsePayBody } from './card-input.js';
import { declineDisplay, failureOf, publicView, successUrlFor, type SessionData } from './checkout-api.js';
import { formatMoney, localeFrom } from './money-format.js';
import { amountStatus, pageState, renderCheckoutPage } from './page-html.js';

const gbp = (amountMinor: number, amount: string) => ({ amountMinor, amount, currency: 'GBP' });

function session(overrides: Partial<SessionData> = {}): SessionData {
  return {
    id: 'cs_1',
    status: 'OPEN',
    mode: 'PAYMENT',
    url: 'http://127.0.0.1:4000/checkout/cs_1?cs=cs_1_secret_abc',
    successUrl: 'https://shop.example/ok?id={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://shop.example/cart',
    expiresAt: '2030-01-01T00:00:00.000Z',
    merchant: { name: 'Bob & <Co>' },
    lineItems: [{ name: '<script>alert(1)</script>', quantity: 1, unitAmount: gbp(1000, '10.00'), total: gbp(1000, '10.00') }],
    totals: { subtotal: gbp(1000, '10.00'), discount: gbp(0, '0.00'), tax: gbp(0, '0.00'), shipping: gbp(0, '0.00'), total: gbp(1000, '10.00') },
    paymentIntent: { id: 'pi_1', status: 'REQUIRES_PAYMENT_METHOD', amount: gbp(1000, '10.00'), nextAction: null, lastPaymentError: null },
    ...overrides,
  };
}

describe('formatMoney', () => {
  it('formats the exact decimal string in the currency style', () => {
    expect(formatMoney('10.00', 'GBP')).toBe('£10.00');
    expect(formatMoney('12345678901234.57', 'GBP')).toBe('£12,345,678,901,234.57');
    expect(formatMoney('1.234', 'KWD', 'en').replace(/\s/g, ' ')).toBe('KWD 1.234');
    expect(formatMoney('500', 'JPY', 'en')).toMatch(/^¥500$/);
    expect(formatMoney('50000', 'XOF', 'fr-FR').replace(/\s/g, ' ')).toBe('50 000 F CFA');
  });

  it('falls back to the plain decimal for anything odd', () => {
    expect(formatMoney('1e3', 'GBP')).toBe('1e3 GBP');
    expect(formatMoney('1.00', 'gbp')).toBe('1.00 gbp');
  });

  it('takes the first supported Accept-Language locale', () => {
    expect(localeFrom('fr-SN,fr;q=0.9')).toMatch(/^fr/);
    expect(localeFrom(undefined)).toBe('en-GB');
    expect(localeFrom('*')).toBe('en-GB');
  });
});

describe('parsePayBody', () => {
  const now = new Date('2026-06-15T00:00:00Z');
  const card = (c: Record<string, unknown>) => ({ card: { number: '4242 4242 4242 4242', expMonth: 6, expYear: 2026, cvc: '123', ...c } });

  it('accepts a card (spaces allowed, 2-digit years) or a test card', () => {
    expect(parsePayBody(card({}), now)).toEqual({ ok: true, cardNumber: '4242424242424242' });
    expect(parsePayBody(card({ expYear: 27, expMonth: '01' }), now)).toMatchObject({ ok: true });
    expect(parsePayBody({ testCard: '4000-0000-0000-0002' }, now)).toEqual({ ok: true, cardNumber: '4000000000000002' });
  });

  it('names the bad field and never quotes the number', () => {
    expect(parsePayBody(null, now)).toMatchObject({ ok: false, field: 'body' });
    expect(parsePayBody({}, now)).toMatchObject({ ok: false, field: 'card' });
    const bad = parsePayBody(card({ number: '4242424242424241' }), now);
    expect(bad).toMatchObject({ ok: false, field: 'card.number' });
    expect(JSON.stringify(bad)).not.toContain('4242');
    expect(parsePayBody(card({ expMonth: 0 }), now)).toMatchObject({ field: 'card.expMonth' });
    expect(parsePayBody(card({ expMonth: 5 }), now)).toMatchObject({ field: 'card.expYear' });
    expect(parsePayBody(card({ cvc: 123 }), now)).toMatchObject({ field: 'card.cvc' });
    expect(parsePayBody({ ...card({}), testCard: '4242424242424242' }, now)).toMatchObject({ field: 'card' });
  });
});

describe('public view', () => {
  it('fills the success URL, drops the client secret, keeps exact amounts', () => {
    const v = publicView(session());
    expect(v.success_url).toBe('https://shop.example/ok?id=cs_1');
    expect(v.url).toBe('http://127.0.0.1:4000/checkout/cs_1');
    expect(v.totals.total).toEqual({ amount_minor: 1000, amount: '10.00', currency: 'GBP', display: '£10.00' });
    expect(JSON.stringify(v)).not.toContain('secret');
  });

  it('accepts only http(s) redirect targets', () => {
    expect(successUrlFor({ id: 'x', successUrl: 'javascript:alert(1)' })).toBeNull();
    expect(publicView(session({ cancelUrl: 'data:text/html,hi' })).cancel_url).toBeNull();
  });

  it('maps GraphQL codes to statuses without leaking existence or internals', () => {
    expect(failureOf({ message: 'x', extensions: { code: 'FORBIDDEN' } })).toMatchObject({ status: 404, code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(failureOf({ message: 'Declined.', extensions: { code: 'PAYMENT_DECLINED', reason: 'payment_declined:x' } })).toEqual({
      status: 402,
      code: 'PAYMENT_DECLINED',
      message: 'Declined.',
      reason: 'payment_declined:x',
    });
    expect(failureOf({ message: 'boom at db', extensions: { code: 'INTERNAL_SERVER_ERROR' } })).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(failureOf(undefined).status).toBe(503);
  });

  it("answers the payment's own CHECKOUT_NOT_READY as the page's pre-pay check does: 409 with the blockers in the buyer's words", () => {
    const blockers = [
      { code: 'shipping_not_selected', message: 'Choose a shipping option or a pickup location.' },
      { code: 'promotion_invalid', message: 'Promotion SPRING5 no longer applies.', promotionCode: 'SPRING5', reason: 'inactive' },
      { code: 42, message: null },
    ];
    const failure = failureOf({ message: 'Checkout session cs_1 cannot be paid yet: internal words', extensions: { code: 'CHECKOUT_NOT_READY', reason: 'checkout:not_ready', blockers } });
    expect(failure).toMatchObject({ status: 409, code: 'CHECKOUT_NOT_READY', reason: 'checkout:not_ready' });
    expect(failure.blockers!.map((b) => b.code)).toEqual(['shipping_not_selected', 'promotion_invalid']);
    expect(failure.blockers![0]!.message).toBe('Choose a shipping option or a pickup location.');
    expect(failure.message).toMatch(/^This checkout is not ready to pay\. Choose a shipping option/);
    expect(failure.message).not.toContain('cs_1');
    expect(failureOf({ message: 'x', extensions: { code: 'CHECKOUT_NOT_READY', blockers: 'nonsense' } })).toMatchObject({ status: 409, blockers: [], message: 'This checkout is not ready to pay.' });
  });

  it('explains declines plainly', () => {
    expect(declineDisplay({ code: 'card_declined', declineCode: 'insufficient_funds', message: '' })).toMatch(/insufficient funds/);
    expect(declineDisplay({ code: 'weird', declineCode: null, message: 'PSP says no.' })).toBe('PSP says no.');
  });
});

describe('page', () => {
  it('escapes every value and picks the step from the payment state', () => {
    const html = renderCheckoutPage(publicView(session()));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Bob &amp; &lt;Co&gt;');
    expect(html).not.toContain('cs_1_secret_abc');
    const intent = session().paymentIntent!;
    expect(pageState(publicView(session({ paymentIntent: { ...intent, status: 'REQUIRES_ACTION' } })))).toBe('challenge');
    expect(pageState(publicView(session({ status: 'EXPIRED' })))).toBe('expired');
    expect(pageState(publicView(session({ status: 'COMPLETE' })))).toBe('complete');
  });
});

describe('page states (issue 16, item 13)', () => {
  const cards = [{ number: '4242424242424242', outcome: 'Succeeds' }, { number: '4000000000000002', outcome: 'Declined (generic decline)' }];
  const intent = (over: Partial<NonNullable<SessionData['paymentIntent']>> = {}) => ({ ...session().paymentIntent!, provider: 'TEST', sandboxTestCards: cards, amountRefunded: gbp(0, '0.00'), ...over });

  it('test mode: a badge and the test cards the sandbox handed over, only while the buyer can pay', () => {
    const html = renderCheckoutPage(publicView(session({ paymentIntent: intent() })));
    expect(html).toContain('id="test-mode-badge">Test mode</p>');
    expect(html).toContain('<code class="card-number">4242 4242 4242 4242</code></td><td>Succeeds</td>');
    expect(html).toContain('<code class="card-number">4000 0000 0000 0002</code></td><td>Declined (generic decline)</td>');
    const challenge = renderCheckoutPage(publicView(session({ paymentIntent: intent({ status: 'REQUIRES_ACTION' }) })));
    expect(challenge).toMatch(/id="test-cards" class="test-cards" aria-labelledby="test-cards-heading" hidden/);
    // A real PSP: no badge, no cards, whatever the intent says.
    const live = publicView(session({ paymentIntent: intent({ provider: 'STRIPE' }) }));
    expect(live).toMatchObject({ test_mode: false, test_cards: null });
    expect(renderCheckoutPage(live)).not.toMatch(/test-mode-badge|Test cards/);
  });

  it('says Total due while payable, Paid once paid, and refunded or partially refunded with the amounts', () => {
    const due = publicView(session({ paymentIntent: intent() }));
    expect(amountStatus(due)).toEqual({ kind: 'due', label: 'Total due', display: '£10.00' });
    const paid = publicView(session({ status: 'COMPLETE', paymentIntent: intent({ status: 'SUCCEEDED' }) }));
    expect(amountStatus(paid)).toEqual({ kind: 'paid', label: 'Paid', display: '£10.00' });
    expect(renderCheckoutPage(paid)).not.toContain('Total due');
    const partly = publicView(session({ status: 'COMPLETE', paymentIntent: intent({ status: 'SUCCEEDED', amountRefunded: gbp(250, '2.50') }) }));
    expect(amountStatus(partly)).toMatchObject({ kind: 'partially_refunded', label: 'Partially refunded', display: '£2.50', detail: '£2.50 of £10.00 refunded.' });
    expect(renderCheckoutPage(partly)).toContain('This payment was partially refunded');
    const all = publicView(session({ status: 'COMPLETE', paymentIntent: intent({ status: 'SUCCEEDED', amountRefunded: gbp(1000, '10.00') }) }));
    expect(amountStatus(all)).toMatchObject({ kind: 'refunded', label: 'Refunded', display: '£10.00' });
    const html = renderCheckoutPage(all);
    expect(html).toContain('This payment was refunded');
    expect(html).not.toMatch(/Total due|already paid/);
    expect(amountStatus(publicView(session({ status: 'EXPIRED' }))).label).toBe('Total');
  });

  it('isolates names, so a bidi control stored before they were refused cannot reorder the page around them', () => {
    const html = renderCheckoutPage(publicView(session({ merchant: { name: 'Shop\u202e' } })));
    expect(html).toContain('<bdi>Shop\u202e</bdi>');
    expect(html).toContain('<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>');
  });
});

describe('payment-watch.js', () => {
  it('sends exactly the subscription the gateway documents for the hosted page', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parse, print } = await import('graphql');
    const { PAYMENT_STATUS_SUBSCRIPTION } = await import('../subscriptions/hosted-page-client.js');
    const source = await readFile(new URL('./assets/payment-watch.js', import.meta.url), 'utf8');
    const sent = /var SUBSCRIPTION =\s*'([^']+)'/.exec(source)?.[1];
    expect(sent).toBeDefined();
    expect(print(parse(sent!))).toBe(print(parse(PAYMENT_STATUS_SUBSCRIPTION)));
  });
});
