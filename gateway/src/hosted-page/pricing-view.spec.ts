// The buyer's part of the hosted page (issue 18, item 8): the public view built from the session's
// calculation, what blocks paying, and the page rendered from it (added tax, tax included, no
// pricing at all).
import { describe, expect, it } from 'vitest';
import { notPayableYet, publicView, type SessionData } from './checkout-api.js';
import { renderCheckoutPage } from './page-html.js';
import { blockersOf, estimateView, promotionDisplay, taxLabel, type CalculationData } from './pricing-view.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP', amount: (amountMinor / 100).toFixed(2) });

function calculation(over: Partial<CalculationData> = {}): CalculationData {
  return {
    id: 'calc_1',
    currency: 'GBP',
    pricesIncludeTax: false,
    lines: [
      { id: 'line_1', name: 'Jacket', quantity: 1, unitAmount: gbp(4500), base: gbp(4500), discount: gbp(450), tax: gbp(810), total: gbp(4860) },
      { id: 'line_2', name: 'Socks', quantity: 2, unitAmount: gbp(650), base: gbp(1300), discount: gbp(130), tax: gbp(234), total: gbp(1404) },
    ],
    taxLines: [{ country: 'GB' }, { country: 'GB' }, { country: 'GB' }],
    shipping: { kind: 'SHIPPING', id: 'express', label: 'Next day', amount: gbp(899), tax: gbp(180), deliveryEstimate: { minDays: 1, maxDays: 1, earliestDate: '2026-12-08', latestDate: '2026-12-08' } },
    promotions: [{ code: 'SAVE10', automatic: false, amount: gbp(580) }],
    totals: { subTotal: gbp(5800), discountTotal: gbp(580), taxTotal: gbp(1224), shippingTotal: gbp(899), grandTotal: gbp(7343), includedTaxTotal: gbp(0) },
    blockers: [],
    ...over,
  };
}

function session(over: Partial<SessionData> = {}): SessionData {
  return {
    id: 'cs_1',
    status: 'OPEN',
    mode: 'PAYMENT',
    url: 'http://127.0.0.1:4000/checkout/cs_1?cs=secret',
    successUrl: null,
    cancelUrl: null,
    expiresAt: '2030-01-01T00:00:00.000Z',
    merchant: { name: 'Fell & Field' },
    lineItems: [
      { name: 'Jacket', quantity: 1, unitAmount: gbp(4500), total: gbp(4500) },
      { name: 'Socks', quantity: 2, unitAmount: gbp(650), total: gbp(1300) },
    ],
    totals: { subtotal: gbp(5800), discount: gbp(580), tax: gbp(1224), shipping: gbp(899), total: gbp(7343) },
    paymentIntent: { id: 'pi_1', status: 'REQUIRES_PAYMENT_METHOD', amount: gbp(5800), nextAction: null, lastPaymentError: null },
    calculationStale: false,
    promotionCodes: ['SAVE10'],
    requireBillingAddress: false,
    shippingAddress: { name: 'Ada', line1: '10 Downing Street', line2: null, city: 'London', state: null, postalCode: 'SW1A 2AA', country: 'GB' },
    billingAddress: null,
    selectedShipping: { kind: 'SHIPPING', id: 'express' },
    calculation: calculation(),
    ...over,
  };
}

const options = {
  shippingOptions: [
    { id: 'standard', label: 'Standard', carrier: 'Royal Mail', free: true, amount: gbp(0), deliveryEstimate: { minDays: 2, maxDays: 4, earliestDate: null, latestDate: null } },
    { id: 'express', label: 'Next day', carrier: null, free: false, amount: gbp(899), deliveryEstimate: null },
  ],
  pickupOptions: [{ id: 'soho', name: 'Soho <store>', country: 'GB', region: null, postalCode: 'W1D 3RB' }],
};

describe('the buyer view', () => {
  it('takes the calculation: lines, a discount per promotion, shipping, VAT, and the grand total as the amount due', () => {
    const v = publicView(session(), 'en-GB', options);
    expect(v.amount_due.display).toBe('£73.43');
    expect(v.pricing).toMatchObject({ tax_label: 'VAT', prices_include_tax: false, totals: { total: { amount_minor: 7343 }, tax: { display: '£12.24' } } });
    expect(v.pricing!.discounts).toEqual([{ code: 'SAVE10', automatic: false, label: 'Discount (SAVE10)', amount: expect.objectContaining({ display: '£5.80' }) }]);
    expect(v.pricing!.shipping).toMatchObject({ kind: 'shipping', label: 'Next day', price_display: '£8.99', delivery_estimate: { display: '1 business day (Tue 8 Dec)' } });
    expect(v.shipping_options.map((o) => [o.id, o.price_display, o.delivery_estimate?.display ?? null])).toEqual([
      ['standard', 'Free', '2–4 business days'],
      ['express', '£8.99', null],
    ]);
    expect(v).toMatchObject({ needs_address: true, needs_shipping: true, selected_shipping: { kind: 'shipping', id: 'express' }, blockers: [] });
    expect(v.shipping_address).toEqual({ name: 'Ada', line1: '10 Downing Street', line2: null, city: 'London', state: null, postal_code: 'SW1A 2AA', country: 'GB' });
    expect(notPayableYet(session())).toBeUndefined();
  });

  it('lists what blocks paying: the calculation’s blockers (codes in words), a stale calculation, a required billing address', () => {
    const blocked = session({
      calculation: calculation({
        blockers: [
          { code: 'shipping_not_selected', message: 'Choose a shipping option or a pickup location.' },
          { code: 'promotion_invalid', message: 'The promotion OLD has ended.', promotionCode: 'OLD', reason: 'expired' },
        ],
      }),
      requireBillingAddress: true,
    });
    expect(blockersOf(blocked)).toEqual([
      { code: 'shipping_not_selected', message: 'Choose a shipping option or a pickup location.' },
      { code: 'promotion_invalid', message: 'The code OLD has expired.' },
      { code: 'billing_address_required', message: 'Enter your billing address.' },
    ]);
    expect(notPayableYet(blocked)).toMatchObject({ failure: { status: 409, code: 'INVALID_STATE_TRANSITION', reason: 'checkout_session:blocked' } });
    expect(notPayableYet(session({ calculationStale: true }))).toMatchObject({ failure: { status: 409, code: 'CALCULATION_STALE' } });
    // No calculation yet (an unpriced session): nothing to block; it pays its lines' total.
    expect(blockersOf(session({ calculation: null, calculationStale: true }))).toEqual([]);
  });

  it('names promotion refusals by reason, VAT by country, and delivery estimates in days and dates', () => {
    expect(promotionDisplay('NOPE', 'promotion:unknown')).toBe('NOPE is not a valid code.');
    expect(promotionDisplay('SPENT', 'promotion:exhausted')).toBe('The code SPENT has been used up.');
    expect(promotionDisplay('X', 'promotion:something_new')).toBe('The code X cannot be used.');
    expect(taxLabel(['GB', 'FR'])).toBe('VAT');
    expect(taxLabel(['US'])).toBe('Tax');
    expect(taxLabel([])).toBe('Tax');
    expect(estimateView({ minDays: 2, maxDays: 4, earliestDate: '2026-12-09', latestDate: '2026-12-11' }, 'en-GB')?.display).toBe('2–4 business days (Wed 9 Dec – Fri 11 Dec)');
    expect(estimateView(null)).toBeNull();
  });
});

describe('the page with pricing', () => {
  it('renders the discount, shipping and VAT rows, the options (escaped), the Pay button at the grand total, enabled for the script', () => {
    const html = renderCheckoutPage(publicView(session(), 'en-GB', options), 'en-GB');
    expect(html).toContain('<tr class="discount"><th scope="row" colspan="2">Discount (SAVE10)</th><td>−£5.80</td></tr>');
    expect(html).toContain('<tr class="shipping"><th scope="row" colspan="2">Shipping (Next day)</th><td>£8.99</td></tr>');
    expect(html).toContain('<tr class="tax"><th scope="row" colspan="2">VAT</th><td>£12.24</td></tr>');
    expect(html).toContain('<tr class="total"><th scope="row" colspan="2">Total</th><td>£73.43</td></tr>');
    expect(html).toContain('>Pay £73.43</button>');
    expect(html).toContain('data-blocked="false"');
    expect(html).toMatch(/<input type="radio" name="shipping-choice" id="choice-shipping-express" value="shipping:express" checked>/);
    expect(html).toContain('Collect from Soho &lt;store&gt;');
    expect(html).toContain('<option value="GB" selected>United Kingdom</option>');
    expect(html).toContain('id="billing" class="billing buyer-part" aria-labelledby="billing-heading" hidden');
    expect(html).toContain('<script src="/checkout/assets/checkout-buyer.js" defer></script>');
  });

  it('prices including tax: no tax row, "Includes £X VAT" under the total', () => {
    const inclusive = calculation({
      pricesIncludeTax: true,
      promotions: [],
      shipping: null,
      totals: { subTotal: gbp(2200), discountTotal: gbp(0), taxTotal: gbp(0), shippingTotal: gbp(0), grandTotal: gbp(2200), includedTaxTotal: gbp(367) },
    });
    const html = renderCheckoutPage(publicView(session({ calculation: inclusive, selectedShipping: null }), 'en-GB', null));
    expect(html).toContain('<tr class="included-tax"><td colspan="3">Includes £3.67 VAT</td></tr>');
    expect(html).not.toContain('class="tax"');
  });

  it('blocked: the Pay button stays disabled for the script, with the blockers beside it', () => {
    const blocked = session({ calculation: calculation({ blockers: [{ code: 'address_invalid', message: 'A shipping address is required for these items.' }] }) });
    const html = renderCheckoutPage(publicView(blocked));
    expect(html).toContain('data-blocked="true"');
    expect(html).toContain('<li data-code="address_invalid">A shipping address is required for these items.</li>');
  });

  it('without any pricing (no calculation): the lines and total as before, no delivery or billing asked', () => {
    const bare = session({ calculation: null, promotionCodes: [], shippingAddress: null, selectedShipping: null, totals: { subtotal: gbp(5800), discount: gbp(0), tax: gbp(0), shipping: gbp(0), total: gbp(5800) } });
    const view = publicView(bare);
    expect(view).toMatchObject({ pricing: null, needs_address: false, needs_shipping: false, blockers: [], amount_due: { display: '£58.00' } });
    const html = renderCheckoutPage(view);
    expect(html).toContain('<tfoot id="summary-totals">\n<tr><th scope="row" colspan="2">Subtotal</th><td>£58.00</td></tr>\n<tr class="total"><th scope="row" colspan="2">Total</th><td>£58.00</td></tr>');
    expect(html).toContain('id="delivery" class="delivery buyer-part" aria-labelledby="delivery-heading" hidden');
    expect(html).toContain('>Pay £58.00</button>');
  });

  it('a payment under way: no buyer forms at all', () => {
    const html = renderCheckoutPage(publicView(session({ paymentIntent: { id: 'pi_1', status: 'PROCESSING', amount: gbp(7343), nextAction: null, lastPaymentError: null } })));
    expect(html).not.toMatch(/id="delivery"|id="promotion-form"|id="billing"/);
  });
});
