import { describe, expect, it } from 'vitest';
import { attemptOutcome, connectionMode, eventsLabel, lastLatency, localInputToIso, parseEventList } from './developers-logic';

describe('developers logic', () => {
  it('reads an attempt by its HTTP status, else its error', () => {
    expect(attemptOutcome({ succeeded: true, statusCode: 200, error: null, latencyMs: 12 })).toBe('HTTP 200');
    expect(attemptOutcome({ succeeded: false, statusCode: 500, error: 'http_500', latencyMs: 12 })).toBe('HTTP 500 (failed)');
    expect(attemptOutcome({ succeeded: false, statusCode: null, error: 'timeout', latencyMs: 10000 })).toBe('timeout');
    expect(lastLatency([])).toBe('—');
    expect(lastLatency([{ succeeded: false, statusCode: 500, error: null, latencyMs: 5 }, { succeeded: true, statusCode: 200, error: null, latencyMs: 42 }])).toBe('42 ms');
  });

  it('turns a datetime-local value into an instant, and refuses what is not one', () => {
    const iso = localInputToIso('2026-12-06T19:30');
    expect(iso).toBe(new Date(2026, 11, 6, 19, 30).toISOString());
    expect(localInputToIso('2026-12-06T19:30:15')).toBe(new Date(2026, 11, 6, 19, 30, 15).toISOString());
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('yesterday')).toBeUndefined();
    expect(localInputToIso('2026-13-40T99:99')).toBeUndefined();
  });

  it('reads an event list as typed (no empties, no duplicates) and labels "*"', () => {
    expect(parseEventList(' payment.succeeded, checkout.completed,,payment.succeeded ')).toEqual(['payment.succeeded', 'checkout.completed']);
    expect(parseEventList('*')).toEqual(['*']);
    expect(parseEventList('  ')).toEqual([]);
    expect(eventsLabel(['*'])).toBe('All events');
    expect(eventsLabel(['a.b', 'c.d'])).toBe('a.b, c.d');
  });

  it('names a connection’s mode from its provider and publishable key', () => {
    expect(connectionMode('TEST', null)).toMatch(/^Sandbox/);
    expect(connectionMode('STRIPE', 'pk_live_123')).toBe('Live');
    expect(connectionMode('STRIPE', 'pk_test_123')).toBe('Test');
    expect(connectionMode('STRIPE', null)).toMatch(/^Unknown/);
  });
});
