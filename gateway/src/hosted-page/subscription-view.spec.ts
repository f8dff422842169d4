import { describe, expect, it } from 'vitest';
import { cadence, subscriptionView } from './subscription-view.js';

const line = (amountMinor: number, recurring: { interval: string; intervalCount: number; trialDays: number } | null) => ({ total: { amountMinor, currency: 'GBP' }, recurring });

describe('the hosted page\'s subscription notice', () => {
  it('says how often it renews and for the recurring lines\' total', () => {
    const v = subscriptionView('SUBSCRIPTION', [line(3000, { interval: 'MONTH', intervalCount: 1, trialDays: 0 }), line(500, null)]);
    expect(v).toMatchObject({ interval: 'month', interval_count: 1, trial_days: 0, amount: { amount_minor: 3000, display: '£30.00' } });
    expect(v!.notice).toBe('£30.00 every month until you cancel. Your card is saved for the renewals.');
  });

  it('with a trial: free for its days, nothing charged today', () => {
    const v = subscriptionView('SUBSCRIPTION', [line(2000, { interval: 'WEEK', intervalCount: 2, trialDays: 14 }), line(1000, { interval: 'WEEK', intervalCount: 2, trialDays: 14 })]);
    expect(v!.notice).toBe('Free for 14 days, then £30.00 every 2 weeks. Nothing is charged today; your card is saved for the renewals.');
  });

  it('is null for a PAYMENT session or one without a recurring line', () => {
    expect(subscriptionView('PAYMENT', [line(1000, { interval: 'MONTH', intervalCount: 1, trialDays: 0 })])).toBeNull();
    expect(subscriptionView('SUBSCRIPTION', [line(1000, null)])).toBeNull();
    expect(cadence('YEAR', 1)).toBe('every year');
    expect(cadence('DAY', 30)).toBe('every 30 days');
  });
});
