import { describe, expect, it } from 'vitest';
import { refusalPage, renderCardUpdatePage, type CardUpdateView } from './card-update-html.js';

const view: CardUpdateView = {
  subscription_id: 'bsub_0123456789abcdef01234567',
  status: 'past_due',
  currency: 'GBP',
  items: [{ name: '<script>alert(1)</script> Pro', quantity: 2, unit_amount: 750 }],
  interval: 'month',
  interval_count: 1,
  payment_method: { brand: 'visa', last4: '0341' },
  amount_due: { period: 2, amount: 1500, status: 'open' },
  provider: 'TEST',
  link_expires_at: 1_900_000_000,
  test_cards: [{ number: '4242424242424242', outcome: 'Succeeds' }],
};

describe('card-update page HTML', () => {
  it('shows the amount due, the card on file and the plan, every value escaped; loads only its own script and stylesheet', () => {
    const html = renderCardUpdatePage(view, 'en-GB');
    expect(html).toContain('<strong id="amount-due">£15.00</strong>');
    expect(html).toContain('Visa ending in 0341');
    expect(html).toContain('Save card and pay £15.00');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Pro');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('4242 4242 4242 4242');
    expect([...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1])).toEqual(['/checkout/assets/card-update.js']);
    expect(html).not.toMatch(/<script>(?!alert)/);
  });

  it('an active subscription: nothing due, "Save card", no test cards outside test mode', () => {
    const html = renderCardUpdatePage({ ...view, status: 'active', amount_due: null, test_cards: [] }, 'en-GB');
    expect(html).toContain('>Save card</button>');
    expect(html).not.toContain('id="amount-due"');
    expect(html).not.toContain('Test cards');
  });

  it('a Stripe merchant: Stripe.js (from STRIPE_JS_URL) then the page script, the Payment Element host instead of card fields, the publishable key escaped', () => {
    const stripeView: CardUpdateView = { ...view, provider: 'STRIPE', test_cards: [], stripe: { publishable_key: 'pk_test_"><x' } };
    const html = renderCardUpdatePage(stripeView, 'en-GB', 'https://js.stripe.com/v3/');
    expect([...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1])).toEqual(['https://js.stripe.com/v3/', '/checkout/assets/card-update.js']);
    expect(html).toContain('<div id="payment-element" class="stripe-element"></div>');
    expect(html).toContain('data-stripe-key="pk_test_&quot;&gt;&lt;x" data-currency="gbp"');
    expect(html).not.toContain('id="card-number"');
    // Without Stripe.js's URL (or a key) the sandbox form, no third-party script.
    expect(renderCardUpdatePage(stripeView, 'en-GB')).not.toContain('js.stripe.com');
  });

  it.each([
    ['CARD_UPDATE_LINK_EXPIRED', 410, 'This link has expired'],
    ['CARD_UPDATE_LINK_USED', 410, 'This link was already used'],
    ['SUBSCRIPTION_ALREADY_CANCELED', 409, 'This subscription has ended'],
    ['CARD_UPDATE_LINK_INVALID', 404, 'Link not valid'],
    ['SERVICE_UNAVAILABLE', 503, 'Temporarily unavailable'],
  ])('%s: a message page with status %i', (code, status, heading) => {
    const page = refusalPage(code);
    expect(page.status).toBe(status);
    expect(page.html).toContain(`<h1 id="message-heading">${heading}</h1>`);
  });
});
