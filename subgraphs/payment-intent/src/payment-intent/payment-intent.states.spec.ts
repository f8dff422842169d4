import { stateTableProblems } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';
import { canTransition, isForward, isTerminal, paymentIntentStates, statusTopic, transitions } from './payment-intent.states.js';

const all = Object.values(S);

describe('payment intent state table', () => {
  it('names every status, and only known statuses as targets', () => {
    expect(Object.keys(transitions).sort()).toEqual([...all].sort());
    for (const targets of Object.values(transitions)) for (const t of targets) expect(all).toContain(t);
  });

  it('is a sound table (shared state-table check)', () => {
    expect(stateTableProblems(paymentIntentStates, all)).toEqual([]);
  });

  it("follows Stripe's happy paths", () => {
    expect(canTransition(S.REQUIRES_PAYMENT_METHOD, S.SUCCEEDED)).toBe(true);
    expect(canTransition(S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_ACTION)).toBe(true);
    expect(canTransition(S.REQUIRES_ACTION, S.SUCCEEDED)).toBe(true);
    expect(canTransition(S.PROCESSING, S.SUCCEEDED)).toBe(true);
    expect(canTransition(S.PROCESSING, S.REQUIRES_CAPTURE)).toBe(true);
    expect(canTransition(S.REQUIRES_CAPTURE, S.SUCCEEDED)).toBe(true);
  });

  it('lets a failed attempt go back to REQUIRES_PAYMENT_METHOD, but not once authorized', () => {
    expect(canTransition(S.REQUIRES_ACTION, S.REQUIRES_PAYMENT_METHOD)).toBe(true);
    expect(canTransition(S.PROCESSING, S.REQUIRES_PAYMENT_METHOD)).toBe(true);
    expect(canTransition(S.REQUIRES_CAPTURE, S.REQUIRES_PAYMENT_METHOD)).toBe(false);
  });

  it('cancels from anything but the terminal states', () => {
    for (const s of all) expect(canTransition(s, S.CANCELED)).toBe(!isTerminal(s));
  });

  it('never leaves SUCCEEDED or CANCELED', () => {
    for (const s of all) {
      expect(canTransition(S.SUCCEEDED, s)).toBe(false);
      expect(canTransition(S.CANCELED, s)).toBe(false);
    }
  });

  it('PSP events only move forward, so any order converges', () => {
    expect(isForward(S.SUCCEEDED, S.PROCESSING)).toBe(false);
    expect(isForward(S.PROCESSING, S.SUCCEEDED)).toBe(true);
    expect(isForward(S.REQUIRES_CAPTURE, S.PROCESSING)).toBe(false);
    expect(isForward(S.PROCESSING, S.REQUIRES_PAYMENT_METHOD)).toBe(true);
    expect(isForward(S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_PAYMENT_METHOD)).toBe(false);
    expect(isForward(S.SUCCEEDED, S.CANCELED)).toBe(false);
    // Applying `processing` and `succeeded` in either order ends SUCCEEDED.
    const apply = (from: S, to: S) => (isForward(from, to) ? to : from);
    const orders = [
      [S.PROCESSING, S.SUCCEEDED],
      [S.SUCCEEDED, S.PROCESSING],
    ];
    for (const order of orders) expect(order.reduce(apply, S.REQUIRES_PAYMENT_METHOD)).toBe(S.SUCCEEDED);
  });

  it('announces each status on its own topic', () => {
    expect(statusTopic(S.SUCCEEDED)).toBe('payment_intent.succeeded');
    expect(statusTopic(S.REQUIRES_CAPTURE)).toBe('payment_intent.requires_capture');
    expect(statusTopic(S.REQUIRES_PAYMENT_METHOD, { failed: true })).toBe('payment_intent.payment_failed');
  });
});
