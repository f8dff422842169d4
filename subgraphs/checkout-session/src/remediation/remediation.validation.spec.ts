// The resolve input and the list's reason filter: each bad value a BAD_USER_INPUT naming its field.
import { describe, expect, it } from 'vitest';
import { checkResolve, noteText, reasonFilter } from './remediation.validation.js';

const merchant = { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' } as const;
const admin = { kind: 'ADMIN', keyId: 'k0' } as const;
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: Record<string, unknown> }).extensions;
  }
  throw new Error('expected a refusal');
};

describe('remediation input', () => {
  it('takes the four actions; manual_override is an admin\'s and needs a note; apply_discount a code', () => {
    expect(checkResolve(merchant, { action: 'RETRY_PAYMENT' })).toEqual({ action: 'retry_payment', note: null, promotionCode: null });
    expect(checkResolve(merchant, { action: 'apply_discount', promotionCode: 'SAVE10', note: ' sorry ' })).toEqual({ action: 'apply_discount', note: 'sorry', promotionCode: 'SAVE10' });
    expect(refusal(() => checkResolve(merchant, { action: 'manual_override', note: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(() => checkResolve(admin, { action: 'manual_override' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.note' });
    expect(checkResolve(admin, { action: 'manual_override', note: 'refunded by phone' }).action).toBe('manual_override');
    expect(refusal(() => checkResolve(merchant, { action: 'apply_discount' }))).toMatchObject({ field: 'input.promotionCode' });
    expect(refusal(() => checkResolve(merchant, { action: 'cancel', promotionCode: 'X' }))).toMatchObject({ field: 'input.promotionCode' });
    expect(refusal(() => checkResolve(merchant, { action: 'refund' }))).toMatchObject({ field: 'input.action' });
  });

  it('a note is 1 to 2000 characters, lines allowed, no other control characters', () => {
    expect(noteText('line one\nline two\tend', 'note')).toBe('line one\nline two\tend');
    expect(refusal(() => noteText('   ', 'note'))).toMatchObject({ field: 'note' });
    expect(refusal(() => noteText('x'.repeat(2001), 'note'))).toMatchObject({ field: 'note' });
    expect(refusal(() => noteText('bad\u0007bell', 'note'))).toMatchObject({ field: 'note' });
    expect(refusal(() => noteText('evil\u202Etxt', 'note'))).toMatchObject({ field: 'note' });
  });

  it('filters by a category or an exact reason', () => {
    expect(reasonFilter('payment_declined')).toEqual({ category: 'payment_declined' });
    expect(reasonFilter('payment_declined:insufficient_funds')).toEqual({ reason: 'payment_declined:insufficient_funds' });
    expect(reasonFilter(null)).toBeNull();
    expect(refusal(() => reasonFilter('bogus'))).toMatchObject({ field: 'reason' });
    expect(refusal(() => reasonFilter("payment_declined:' or 1=1"))).toMatchObject({ field: 'reason' });
  });
});
