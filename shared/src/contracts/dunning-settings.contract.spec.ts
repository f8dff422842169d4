import { describe, expect, it } from 'vitest';
import { DEFAULT_DUNNING_SETTINGS, validateDunningSettings } from './dunning-settings.contract.js';

const reasonOf = (input: { retryDays: unknown; finalStatus: unknown }) => {
  try {
    validateDunningSettings(input);
    return 'accepted';
  } catch (err) {
    const { code, reason, field } = (err as { extensions: { code: string; reason?: string; field?: string } }).extensions;
    return `${code} ${reason ?? field}`;
  }
};

describe('validateDunningSettings', () => {
  it('accepts the default, one retry, ten retries up to day 60, and a lower-case final status', () => {
    expect(validateDunningSettings({ ...DEFAULT_DUNNING_SETTINGS })).toEqual({ retryDays: [1, 3, 5, 7], finalStatus: 'UNPAID' });
    expect(validateDunningSettings({ retryDays: [60], finalStatus: 'canceled' })).toEqual({ retryDays: [60], finalStatus: 'CANCELED' });
    expect(validateDunningSettings({ retryDays: [1, 2, 3, 4, 5, 6, 7, 8, 9, 60], finalStatus: 'UNPAID' }).retryDays).toHaveLength(10);
  });

  it.each([
    [{ retryDays: [], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_count'],
    [{ retryDays: 'x', finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_count'],
    [{ retryDays: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_count'],
    [{ retryDays: [0], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_day'],
    [{ retryDays: [61], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_day'],
    [{ retryDays: [1.5], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_day'],
    [{ retryDays: [-2], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:retry_day'],
    [{ retryDays: [2, 2], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:not_increasing'],
    [{ retryDays: [5, 3], finalStatus: 'UNPAID' }, 'INVALID_DUNNING_SCHEDULE dunning:not_increasing'],
    [{ retryDays: [1], finalStatus: 'PAUSED' }, 'INVALID_DUNNING_SCHEDULE dunning:final_status'],
    [{ retryDays: [1], finalStatus: null }, 'INVALID_DUNNING_SCHEDULE dunning:final_status'],
    [{ retryDays: [1], finalStatus: 'x'.repeat(100_000) }, 'BAD_USER_INPUT finalStatus'],
  ])('refuses %j: %s', (input, expected) => {
    expect(reasonOf(input)).toBe(expected);
  });
});
