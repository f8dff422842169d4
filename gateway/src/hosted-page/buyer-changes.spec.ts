// The hosted page's buyer changes (issue 18, item 8): bodies checked before anything runs, GraphQL
// refusals turned into the buyer's words by code, reason and field, and when a session may change.
import { describe, expect, it } from 'vitest';
import { buyerCanChange, changeFailure, parseAddressBody, parsePromotionBody, parsePromotionParam, parseShippingBody, restField } from './buyer-changes.js';
import type { SessionData } from './checkout-api.js';
import { countriesFor, countryName, countryOfLocale } from './countries.js';

describe('bodies', () => {
  it('a promotion code: 1 to 64 characters, nothing else in the body', () => {
    expect(parsePromotionBody({ code: ' save10 ' })).toEqual({ ok: true, change: { kind: 'applyPromotion', code: 'save10' } });
    expect(parsePromotionBody({ code: '' })).toMatchObject({ ok: false, field: 'code' });
    expect(parsePromotionBody({ code: 'x'.repeat(65) })).toMatchObject({ ok: false, field: 'code' });
    expect(parsePromotionBody({ code: 7 })).toMatchObject({ ok: false, field: 'code' });
    expect(parsePromotionBody({ code: 'A', discount: 100 })).toMatchObject({ ok: false, field: 'discount' });
    expect(parsePromotionBody([])).toMatchObject({ ok: false, field: 'body' });
    expect(parsePromotionParam('SAVE10')).toMatchObject({ ok: true, change: { kind: 'removePromotion', code: 'SAVE10' } });
  });

  it('an address: required line1, city and country; text only; lengths; the REST names mapped to GraphQL', () => {
    const ok = parseAddressBody({ name: ' Ada ', line1: '10 Downing St', line2: '', city: 'London', postal_code: 'sw1a 2aa', country: 'gb' }, 'shipping');
    expect(ok).toEqual({
      ok: true,
      change: { kind: 'setAddress', address: 'shipping', input: { name: 'Ada', line1: '10 Downing St', line2: null, city: 'London', state: null, postalCode: 'sw1a 2aa', country: 'GB' } },
    });
    expect(parseAddressBody({ line1: 'x', city: 'y' }, 'billing')).toMatchObject({ ok: false, field: 'country', message: 'Choose a country.' });
    expect(parseAddressBody({ line1: 'x', city: '  ', country: 'GB' }, 'billing')).toMatchObject({ ok: false, field: 'city' });
    expect(parseAddressBody({ line1: ['x'], city: 'y', country: 'GB' }, 'shipping')).toMatchObject({ ok: false, field: 'line1' });
    expect(parseAddressBody({ line1: 'x', city: 'y', country: 'GBR' }, 'shipping')).toMatchObject({ ok: false, field: 'country' });
    expect(parseAddressBody({ line1: 'x', city: 'y', country: 'GB', postalCode: 'SW1A 2AA' }, 'shipping')).toMatchObject({ ok: false, field: 'postalCode' });
  });

  it('a delivery choice: a shipping option or a pickup location, not both', () => {
    expect(parseShippingBody({ shipping_option_id: 'express' })).toEqual({ ok: true, change: { kind: 'selectShipping', selection: { shippingOptionId: 'express' } } });
    expect(parseShippingBody({ pickup_location_id: 'soho' })).toEqual({ ok: true, change: { kind: 'selectShipping', selection: { pickupLocationId: 'soho' } } });
    expect(parseShippingBody({ shipping_option_id: 'a', pickup_location_id: 'b' })).toMatchObject({ ok: false, field: 'body' });
    expect(parseShippingBody({})).toMatchObject({ ok: false, field: 'shipping_option_id' });
    expect(parseShippingBody({ shipping_option_id: '' })).toMatchObject({ ok: false, field: 'shipping_option_id' });
  });
});

describe('refusals in the buyer’s words', () => {
  const badInput = (field: string) => ({ status: 400, code: 'BAD_USER_INPUT', message: `${field}: "ZZ" is not valid at /srv/x.ts:12` });
  const err = (field: string) => ({ message: 'x', extensions: { code: 'BAD_USER_INPUT', field } });

  it('maps GraphQL fields to the REST body’s', () => {
    expect(restField('shippingAddress.postalCode')).toBe('postal_code');
    expect(restField('selection.shippingOptionId')).toBe('shipping_option_id');
    expect(restField('selection')).toBe('body');
    expect(restField(undefined)).toBe('body');
  });

  it('never passes the GraphQL message through', () => {
    const address = { kind: 'setAddress' as const, address: 'shipping' as const, input: { name: null, line1: 'x', line2: null, city: 'y', state: null, postalCode: 'ZZ', country: 'GB' } };
    expect(changeFailure(address, badInput('shippingAddress.postalCode'), err('shippingAddress.postalCode'))).toEqual({
      status: 400, code: 'BAD_USER_INPUT', field: 'postal_code', message: 'Enter a valid postal code for United Kingdom.',
    });
    const promo = { kind: 'applyPromotion' as const, code: 'old' };
    expect(changeFailure(promo, { status: 422, code: 'PROMOTION_INVALID', message: 'The promotion OLD has ended.', reason: 'promotion:expired' }, undefined)).toMatchObject({
      status: 422, code: 'PROMOTION_INVALID', reason: 'promotion:expired', message: 'The code OLD has expired.',
    });
    expect(changeFailure(promo, badInput('code'), err('code'))).toMatchObject({ field: 'code', message: expect.stringMatching(/^OLD is not a valid code/) });
    const pick = { kind: 'selectShipping' as const, selection: { shippingOptionId: 'x' } };
    const refused = changeFailure(pick, badInput('selection.shippingOptionId'), err('selection.shippingOptionId'));
    expect(refused).toMatchObject({ field: 'shipping_option_id' });
    expect(refused.message).not.toContain('/srv');
    // Not about the input: left as checkout-api.ts mapped it.
    const busy = { status: 409, code: 'VERSION_CONFLICT', message: 'Expected version 3, but it is at 4.' };
    expect(changeFailure(pick, busy, undefined)).toBe(busy);
  });
});

describe('when the buyer may change the session, and the countries offered', () => {
  const s = (status: string, intent: string | null) => ({ status, paymentIntent: intent ? { status: intent } : null }) as unknown as SessionData;

  it('only while open and no payment is under way', () => {
    expect(buyerCanChange(s('OPEN', 'REQUIRES_PAYMENT_METHOD'))).toBe(true);
    expect(buyerCanChange(s('OPEN', 'REQUIRES_CONFIRMATION'))).toBe(true);
    for (const [status, intent] of [['OPEN', 'PROCESSING'], ['OPEN', 'REQUIRES_ACTION'], ['OPEN', 'SUCCEEDED'], ['OPEN', null], ['COMPLETE', 'SUCCEEDED'], ['EXPIRED', 'REQUIRES_PAYMENT_METHOD']] as const) {
      expect(buyerCanChange(s(status, intent)), `${status} ${intent}`).toBe(false);
    }
  });

  it('every ISO 3166-1 country, named for the locale and sorted; the locale’s region preselected', () => {
    const list = countriesFor('en-GB');
    expect(list.length).toBe(249);
    expect(list.find((c) => c.code === 'GB')?.name).toBe('United Kingdom');
    expect([...list].sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))).toEqual(list);
    expect(countryName('DE', 'de')).toBe('Deutschland');
    expect(countryOfLocale('en-GB')).toBe('GB');
    expect(countryOfLocale('en')).toBeNull();
    expect(countryOfLocale('es-419')).toBeNull();
  });
});
