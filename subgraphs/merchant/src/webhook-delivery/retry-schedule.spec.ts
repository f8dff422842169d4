import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_BASE_MS, nextAttemptAt, retryDelayMs, RETRY_WINDOW_MS } from './retry-schedule.js';
import { deliveryStates } from './webhook-delivery.states.js';
import { canTransition, isTerminal } from '@handoff/shared';

const S = 1000;
const policy = (random: number, baseMs = DEFAULT_RETRY_BASE_MS) => ({ baseMs, windowMs: RETRY_WINDOW_MS, random: () => random });

describe('retry schedule', () => {
  it('waits about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, then 6 h (no jitter at the middle draw)', () => {
    const waits = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, policy(0.5)));
    expect(waits).toEqual([5 * S, 30 * S, 120 * S, 600 * S, 1800 * S, 3600 * S, 3 * 3600 * S, 6 * 3600 * S, 6 * 3600 * S, 6 * 3600 * S]);
  });

  it('jitters each wait by ±20 %', () => {
    expect(retryDelayMs(2, policy(0))).toBe(24 * S);
    expect(retryDelayMs(2, policy(0.999999))).toBe(36 * S);
  });

  it('scales with the base (tests use a few ms)', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy(0.5, 20)))).toEqual([20, 120, 480]);
  });

  it('stops when the next attempt would fall after 3 days from the event', () => {
    const armedAt = new Date('2026-01-01T00:00:00Z');
    const early = new Date(armedAt.getTime() + 60 * S);
    expect(nextAttemptAt(1, armedAt, early, policy(0.5))).toEqual(new Date(early.getTime() + 5 * S));
    const late = new Date(armedAt.getTime() + RETRY_WINDOW_MS - 3600 * S);
    expect(nextAttemptAt(9, armedAt, late, policy(0.5))).toBeNull();
    // Attempts made over the window: about 19 with the default schedule.
    let at = armedAt;
    let attempts = 1;
    for (let next = nextAttemptAt(1, armedAt, at, policy(0.5)); next; next = nextAttemptAt(attempts, armedAt, at, policy(0.5))) {
      at = next;
      attempts++;
    }
    expect(attempts).toBeGreaterThanOrEqual(15);
    expect(attempts).toBeLessThanOrEqual(20);
    expect(at.getTime() - armedAt.getTime()).toBeGreaterThan(RETRY_WINDOW_MS - 6 * 3600 * S);
  });
});

describe('delivery states', () => {
  it('PENDING ends SUCCEEDED or FAILED; a replay re-arms either; nothing is terminal', () => {
    expect(canTransition(deliveryStates, 'PENDING', 'SUCCEEDED')).toBe(true);
    expect(canTransition(deliveryStates, 'PENDING', 'FAILED')).toBe(true);
    expect(canTransition(deliveryStates, 'FAILED', 'PENDING')).toBe(true);
    expect(canTransition(deliveryStates, 'SUCCEEDED', 'PENDING')).toBe(true);
    expect(canTransition(deliveryStates, 'SUCCEEDED', 'FAILED')).toBe(false);
    expect(canTransition(deliveryStates, 'FAILED', 'SUCCEEDED')).toBe(false);
    expect(isTerminal(deliveryStates, 'FAILED')).toBe(false);
  });
});
