import { describe, expect, it } from 'vitest';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import { effectiveStatus } from './checkout-session.states.js';

describe('effectiveStatus', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const before = new Date(now.getTime() - 1);
  const after = new Date(now.getTime() + 1);

  it('keeps an open session open until expiresAt', () => {
    expect(effectiveStatus({ status: CheckoutSessionStatus.OPEN, expiresAt: after }, now)).toBe('OPEN');
  });

  it('reads an open session at or past expiresAt as EXPIRED', () => {
    expect(effectiveStatus({ status: CheckoutSessionStatus.OPEN, expiresAt: now }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: CheckoutSessionStatus.OPEN, expiresAt: before }, now)).toBe('EXPIRED');
  });

  it.each([CheckoutSessionStatus.COMPLETE, CheckoutSessionStatus.CANCELED, CheckoutSessionStatus.EXPIRED])(
    'leaves a %s session as it is, expired or not',
    (status) => {
      expect(effectiveStatus({ status, expiresAt: before }, now)).toBe(status);
    },
  );
});
