import { describe, expect, it } from 'vitest';
import { canCapture, disputes, parseAmount, paymentTimeline, refundableMinor, statusLabel } from './payment-logic';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

describe('payment logic', () => {
  it('parses a typed amount to minor units by the currency exponent', () => {
    expect(parseAmount('4', 'GBP', 1000)).toEqual({ ok: true, amountMinor: 400 });
    expect(parseAmount('4.5', 'GBP', 1000)).toEqual({ ok: true, amountMinor: 450 });
    expect(parseAmount(' 0.05 ', 'GBP', 1000)).toEqual({ ok: true, amountMinor: 5 });
    expect(parseAmount('500', 'JPY', 1000)).toEqual({ ok: true, amountMinor: 500 });
    expect(parseAmount('1.234', 'KWD', 5000)).toEqual({ ok: true, amountMinor: 1234 });
  });

  it('refuses bad, zero, too precise and too large amounts', () => {
    expect(parseAmount('abc', 'GBP', 1000).ok).toBe(false);
    expect(parseAmount('-1', 'GBP', 1000).ok).toBe(false);
    expect(parseAmount('0', 'GBP', 1000)).toEqual({ ok: false, message: 'Enter an amount above zero' });
    expect(parseAmount('1.005', 'GBP', 1000)).toEqual({ ok: false, message: 'GBP has 2 decimal places' });
    expect(parseAmount('1.5', 'JPY', 1000).ok).toBe(false);
    expect(parseAmount('10.01', 'GBP', 1000)).toEqual({ ok: false, message: 'That is more than can be refunded' });
    expect(parseAmount('99999999999999999999', 'GBP', Number.MAX_SAFE_INTEGER).ok).toBe(false);
  });

  it('refunds only what was captured and not yet refunded, on a succeeded payment', () => {
    expect(refundableMinor({ status: 'SUCCEEDED', amountCaptured: gbp(1000), amountRefunded: gbp(400) })).toBe(600);
    expect(refundableMinor({ status: 'SUCCEEDED', amountCaptured: gbp(1000), amountRefunded: gbp(1000) })).toBe(0);
    expect(refundableMinor({ status: 'REQUIRES_CAPTURE', amountCaptured: gbp(0), amountRefunded: gbp(0) })).toBe(0);
    expect(canCapture({ status: 'REQUIRES_CAPTURE' })).toBe(true);
    expect(canCapture({ status: 'SUCCEEDED' })).toBe(false);
  });

  it('merges events and refunds oldest first, and picks out disputes', () => {
    const events = [
      { type: 'payment_intent.succeeded', at: '2026-01-01T10:01:00Z' },
      { type: 'payment_intent.created', at: '2026-01-01T10:00:00Z' },
      { type: 'psp.charge.dispute.created', at: '2026-01-03T00:00:00Z' },
    ];
    const refunds = [{ id: 'r1', amount: gbp(400), status: 'SUCCEEDED', createdAt: '2026-01-02T00:00:00Z', reason: '<b>damaged</b>' }];
    const t = paymentTimeline(events, refunds);
    expect(t.map((i) => i.label)).toEqual(['Created', 'Succeeded', 'Refund succeeded', 'psp.charge.dispute.created']);
    expect(t[2]!.amount).toEqual(gbp(400));
    expect(t[2]!.note).toBe('<b>damaged</b>'); // the reason as typed; the page renders it as text
    expect(t[0]!.note).toBeUndefined();
    expect(disputes(events)).toEqual([events[2]]);
    expect(statusLabel('REQUIRES_CAPTURE')).toBe('Requires capture');
  });
});
