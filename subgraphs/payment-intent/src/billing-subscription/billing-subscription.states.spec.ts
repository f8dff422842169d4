import { allowedMoves, assertTransition, canTransition, isTerminal, stateTableProblems } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { BillingInvoiceStatus as I, billingInvoiceStates, BillingSubscriptionStatus as B, billingSubscriptionStates, RENEWING_STATUSES } from './billing-subscription.states.js';

const subs = Object.values(B);
const invoices = Object.values(I);

describe('billing subscription state table', () => {
  it('is a sound table naming every status', () => {
    expect(stateTableProblems(billingSubscriptionStates, subs)).toEqual([]);
  });

  it('allows exactly the documented moves', () => {
    expect(allowedMoves(billingSubscriptionStates)).toEqual(
      [
        'ACTIVE->CANCELED', 'ACTIVE->PAST_DUE', 'ACTIVE->PAUSED',
        'INCOMPLETE->ACTIVE', 'INCOMPLETE->CANCELED',
        'PAST_DUE->ACTIVE', 'PAST_DUE->CANCELED', 'PAST_DUE->UNPAID',
        'PAUSED->ACTIVE', 'PAUSED->CANCELED',
        'TRIALING->ACTIVE', 'TRIALING->CANCELED', 'TRIALING->PAST_DUE',
        'UNPAID->ACTIVE', 'UNPAID->CANCELED',
      ].sort(),
    );
  });

  it('never leaves CANCELED, and cancels from every other status', () => {
    expect(isTerminal(billingSubscriptionStates, B.CANCELED)).toBe(true);
    for (const s of subs) expect(canTransition(billingSubscriptionStates, B.CANCELED, s)).toBe(false);
    for (const s of subs.filter((x) => x !== B.CANCELED)) expect(canTransition(billingSubscriptionStates, s, B.CANCELED)).toBe(true);
  });

  it('refuses canceling a canceled subscription with INVALID_STATE_TRANSITION and its reason', () => {
    try {
      assertTransition(billingSubscriptionStates, B.CANCELED, B.CANCELED);
      expect.unreachable();
    } catch (err) {
      expect((err as { extensions: Record<string, unknown> }).extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', reason: 'billing_subscription:CANCELED->CANCELED' });
    }
  });

  it('goes back to ACTIVE only by paying (from PAST_DUE, UNPAID, TRIALING, INCOMPLETE), never from ACTIVE to TRIALING', () => {
    expect(canTransition(billingSubscriptionStates, B.ACTIVE, B.TRIALING)).toBe(false);
    expect(canTransition(billingSubscriptionStates, B.ACTIVE, B.INCOMPLETE)).toBe(false);
    expect(canTransition(billingSubscriptionStates, B.UNPAID, B.PAST_DUE)).toBe(false);
  });

  it('pauses only an ACTIVE subscription and resumes a PAUSED one to ACTIVE only', () => {
    expect(allowedMoves(billingSubscriptionStates).filter((m) => m.endsWith('->PAUSED'))).toEqual(['ACTIVE->PAUSED']);
    expect(canTransition(billingSubscriptionStates, B.PAUSED, B.PAUSED)).toBe(false);
    expect(canTransition(billingSubscriptionStates, B.PAUSED, B.PAST_DUE)).toBe(false);
    expect(RENEWING_STATUSES).not.toContain(B.PAUSED);
  });

  it('renews TRIALING, ACTIVE and PAST_DUE only', () => {
    expect([...RENEWING_STATUSES].sort()).toEqual([B.ACTIVE, B.PAST_DUE, B.TRIALING].sort());
  });
});

describe('billing invoice state table', () => {
  it('is a sound table naming every status', () => {
    expect(stateTableProblems(billingInvoiceStates, invoices)).toEqual([]);
  });

  it('pays only an OPEN or UNCOLLECTIBLE invoice, and PAID and VOID are final', () => {
    expect(allowedMoves(billingInvoiceStates).filter((m) => m.endsWith('->PAID')).sort()).toEqual(['OPEN->PAID', 'UNCOLLECTIBLE->PAID']);
    expect(isTerminal(billingInvoiceStates, I.PAID)).toBe(true);
    expect(isTerminal(billingInvoiceStates, I.VOID)).toBe(true);
    expect(canTransition(billingInvoiceStates, I.DRAFT, I.PAID)).toBe(false);
  });
});
