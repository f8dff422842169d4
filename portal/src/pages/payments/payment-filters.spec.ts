import { describe, expect, it } from 'vitest';
import { NO_FILTERS, paymentFilterFromSearch, paymentFilterToSearch, toMinorUnits, toPaymentFilter } from './payment-filters';

const input = (over: Partial<typeof NO_FILTERS>) => ({ ...NO_FILTERS, ...over });

describe('payment filters', () => {
  it('round-trips through the URL, dropping unknown statuses and bad dates', () => {
    const i = input({ statuses: ['SUCCEEDED', 'CANCELED'], from: '2026-01-01', to: '2026-01-31', min: '10', max: '12.50', currency: 'GBP', email: 'Buyer@Example.com' });
    const search = new URLSearchParams(paymentFilterToSearch(i));
    expect(search.toString()).toBe('status=SUCCEEDED%2CCANCELED&from=2026-01-01&to=2026-01-31&min=10&max=12.50&currency=GBP&email=Buyer%40Example.com');
    expect(paymentFilterFromSearch(search)).toEqual(i);
    expect(paymentFilterFromSearch(new URLSearchParams('status=SUCCEEDED,NOPE,SUCCEEDED&from=yesterday&currency=gbp'))).toEqual(
      input({ statuses: ['SUCCEEDED'], currency: 'GBP' }),
    );
    expect(paymentFilterToSearch(NO_FILTERS)).toEqual({});
  });

  it("turns the reader's filters into the graph's: whole UTC days, exact minor units, lowercase email", () => {
    expect(toPaymentFilter(input({ statuses: ['SUCCEEDED'], from: '2026-01-01', to: '2026-01-31', min: '10', max: '12.5', currency: 'gbp', email: ' Buyer@Example.com ' }))).toEqual({
      ok: true,
      filter: {
        status: ['SUCCEEDED'],
        createdFrom: '2026-01-01T00:00:00.000Z',
        createdTo: '2026-02-01T00:00:00.000Z',
        currency: 'GBP',
        amountMin: 1000,
        amountMax: 1250,
        customerEmail: 'buyer@example.com',
      },
    });
    expect(toPaymentFilter(NO_FILTERS)).toEqual({ ok: true, filter: {} });
    expect(toMinorUnits('500', 'JPY')).toBe(500);
    expect(toMinorUnits('0.1', 'JPY')).toBeUndefined();
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('0', 'GBP')).toBe(0);
  });

  it('names the field of the first thing wrong', () => {
    const field = (over: Partial<typeof NO_FILTERS>) => {
      const r = toPaymentFilter(input(over));
      return r.ok ? null : r.field;
    };
    expect(field({ from: '2026-02-01', to: '2026-01-01' })).toBe('to');
    expect(field({ from: '2026-02-31' })).toBe('from');
    expect(field({ min: '10' })).toBe('currency');
    expect(field({ currency: 'POUND' })).toBe('currency');
    expect(field({ min: '-1', currency: 'GBP' })).toBe('min');
    expect(field({ min: '1.005', currency: 'GBP' })).toBe('min');
    expect(field({ min: '20', max: '10', currency: 'GBP' })).toBe('max');
    expect(field({ email: 'buyer' })).toBe('email');
    expect(field({ email: 'buyer@example' })).toBe('email');
  });
});
