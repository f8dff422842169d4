import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Principal } from '@handoff/shared';
import { periodBounds } from '@handoff/shared';
import { BillingClock, earlierAnchor, nextDue } from './billing-clock.js';

// The guards that answer before anything is read (the rest runs through the gateway:
// test/e2e/recurring-renewals.e2e.spec.ts). A data source or queue touched here would throw.
const untouchable = new Proxy({}, { get: () => { throw new Error('touched'); } });
const clock = (env: 'production' | 'development' | 'test') => new BillingClock(untouchable as DataSource, untouchable as never, env);
const merchant: Principal = { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' };
const admin: Principal = { kind: 'ADMIN', keyId: 'k0' } as Principal;

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return { code: (err as { code?: string }).code, reason: (err as { extensions?: { reason?: string } }).extensions?.reason };
  }
  return null;
}

describe('billing clock guards', () => {
  it('is refused in production, to merchants and admins alike, before anything is read', async () => {
    for (const p of [merchant, admin]) {
      expect(await codeOf(clock('production').advance(p, 'bsub_000000000000000000000000'))).toMatchObject({ code: 'BILLING_CLOCK_UNAVAILABLE', reason: 'billing_clock:production' });
    }
  });

  it('refuses a period that is not a whole number from 1, before anything is read', async () => {
    for (const period of [0, -1, 1.5, Number.NaN]) {
      expect(await codeOf(clock('test').advance(merchant, 'bsub_000000000000000000000000', period))).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses agents, the hosted page and anonymous callers whatever the deployment', async () => {
    const agent = { kind: 'AGENT', keyId: 'k2', agentId: 'a1' } as Principal;
    expect(await codeOf(clock('development').advance(agent, 'bsub_000000000000000000000000'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await codeOf(clock('test').advance({ kind: 'ANONYMOUS' }, 'bsub_000000000000000000000000'))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('billing clock: the earlier anchor', () => {
  const DAY = 86_400_000;
  const d = (iso: string) => new Date(iso);
  const monthly = (anchor: string, currentPeriod: number) => {
    const a = d(anchor);
    const cycle = { interval: 'MONTH' as const, intervalCount: 1 };
    return { ...cycle, currentPeriod, billingCycleAnchor: a, nextRenewalAt: periodBounds(a, cycle, currentPeriod + 1).start };
  };

  it('makes the next renewal due by now, as late as calendar months allow, for anchors at month ends and across short months', () => {
    for (const [anchor, period, now] of [
      ['2026-01-31T10:00:00Z', 1, '2026-01-31T10:05:00Z'], // period 1 ends Feb 28: moving back 28 days would land on Jan 3 + 1 month = Feb 3
      ['2026-02-06T12:00:00Z', 1, '2026-02-06T12:00:01Z'], // a 28-day month
      ['2026-12-06T17:00:00Z', 1, '2026-12-06T17:00:00Z'], // a 31-day month
      ['2026-03-31T00:00:00Z', 3, '2026-04-15T00:00:00Z'], // in a later period
      ['2027-01-01T00:00:00Z', 0, '2026-12-25T00:00:00Z'], // a trial: the anchor is its end
    ] as const) {
      const sub = monthly(anchor, period);
      const at = d(now);
      const moved = earlierAnchor(sub, [], at);
      const due = nextDue(sub, [], moved).getTime();
      expect(due, `${anchor} p${period}`).toBeLessThanOrEqual(at.getTime());
      expect(at.getTime() - due, `${anchor} p${period}: not moved further than calendar months need`).toBeLessThan(4 * DAY);
      expect(moved.getTime()).toBeLessThanOrEqual(sub.billingCycleAnchor.getTime());
    }
  });

  it('in dunning: the retry is due by now, at its schedule\'s distance from its (moved) period start', () => {
    const sub = monthly('2026-01-31T10:00:00Z', 1);
    const start = periodBounds(sub.billingCycleAnchor, sub, 2).start; // Feb 28
    const invoice = { period: 2, periodStart: start, nextAttemptAt: new Date(start.getTime() + 3 * DAY) };
    const inDunning = { ...sub, nextRenewalAt: invoice.nextAttemptAt };
    const now = new Date(start.getTime() + 1000);
    const moved = earlierAnchor(inDunning, [invoice], now);
    const due = nextDue(inDunning, [invoice], moved);
    expect(due.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(due.getTime() - periodBounds(moved, sub, 2).start.getTime()).toBe(3 * DAY);
  });
});
