import { describe, expect, it } from 'vitest';
import { callDeadlines, PAYMENT_CALL_DEADLINE_MS, paymentDeadlines } from './call-deadline.js';

describe('subgraph call deadlines', () => {
  const deadlineOf = callDeadlines(10_000, { runSettlement: 300_000 });

  it('gives a mutation with a long-running root field that field’s deadline', () => {
    expect(deadlineOf('mutation($asOf:DateTime){runSettlement(input:{asOf:$asOf}){id}}')).toBe(300_000);
    expect(deadlineOf('mutation Run{ batches: runSettlement { id } }')).toBe(300_000);
    expect(deadlineOf('mutation{ reportConversion(input:{}) { id } runSettlement { id } }')).toBe(300_000);
  });

  it('gives everything else the ordinary timeout', () => {
    expect(deadlineOf('mutation{ reportConversion(input:{}) { id } }')).toBe(10_000);
    expect(deadlineOf('query{ settlementBatches { id runSettlement } }')).toBe(10_000);
    expect(deadlineOf('{ runSettlement }')).toBe(10_000);
    expect(deadlineOf('mutation{ constructor { id } }')).toBe(10_000);
    expect(deadlineOf('mutation{ runSettlement(')).toBe(10_000); // unreadable: the subgraph refuses it
  });

  it('never shortens a call below the ordinary timeout', () => {
    expect(callDeadlines(10_000, { runSettlement: 5_000 })('mutation{ runSettlement { id } }')).toBe(10_000);
  });

  it('gives a payment mutation a deadline past the subgraph’s own PSP and checkout-session bounds', () => {
    const withPayments = callDeadlines(10_000, { ...paymentDeadlines(10_000), runSettlement: 300_000 });
    expect(withPayments('mutation($i:PayCheckoutWithDelegatedPaymentInput!){payCheckoutWithDelegatedPayment(input:$i){paymentIntent{id}}}')).toBe(PAYMENT_CALL_DEADLINE_MS);
    expect(withPayments('mutation{ confirmPaymentIntent(id:"pi") { id } }')).toBe(PAYMENT_CALL_DEADLINE_MS);
    expect(withPayments('mutation{ reportConversion(input:{}) { id } }')).toBe(10_000);
    expect(PAYMENT_CALL_DEADLINE_MS).toBeGreaterThan(10_000 + 5_000); // the sandbox's and checkout-session's call bounds
    expect(paymentDeadlines(60_000).confirmPaymentIntent).toBe(60_000);
  });
});
