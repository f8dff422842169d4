// A merchant's dunning settings (issue 22 item 4; docs/recurring.md "Dunning the merchant sets"):
// when a failed renewal is retried (days after the period's start, one entry per retry) and what
// the subscription becomes after the last retry fails. Stored by the merchant subgraph
// (merchant.billing_settings), read by payment-intent's renewals through the merchant port
// (SERVICE principal); unset: DEFAULT_DUNNING_SETTINGS (Stripe's smart-retries-like 1, 3, 5, 7, then UNPAID).
// Refused with INVALID_DUNNING_SCHEDULE and a `reason` (dunning:<what>); nothing is written.
import { badUserInput, ErrorCode, HandoffError } from '../errors/codes.js';

export const DUNNING_FINAL_STATUSES = ['UNPAID', 'CANCELED'] as const;
export type DunningFinalStatus = (typeof DUNNING_FINAL_STATUSES)[number];

export interface DunningSettings {
  /** Days after the failed period's start, strictly increasing, 1 to 10 entries, each 1..60. */
  retryDays: number[];
  finalStatus: DunningFinalStatus;
}

export const DUNNING_MAX_RETRIES = 10;
export const DUNNING_MAX_DAY = 60;

export const DEFAULT_DUNNING_SETTINGS: Readonly<DunningSettings> = Object.freeze({ retryDays: [1, 3, 5, 7], finalStatus: 'UNPAID' as DunningFinalStatus });

const invalid = (field: string, what: string, message: string) =>
  new HandoffError(ErrorCode.INVALID_DUNNING_SCHEDULE, `${field}: ${message}`, { field, reason: `dunning:${what}` });

/** The settings checked and normalized (final status upper-cased); INVALID_DUNNING_SCHEDULE otherwise. */
export function validateDunningSettings(input: { retryDays: unknown; finalStatus: unknown }): DunningSettings {
  const days = input.retryDays;
  if (!Array.isArray(days) || days.length < 1 || days.length > DUNNING_MAX_RETRIES) {
    throw invalid('retryDays', 'retry_count', `must list 1 to ${DUNNING_MAX_RETRIES} retries.`);
  }
  days.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > DUNNING_MAX_DAY) {
      throw invalid(`retryDays[${i}]`, 'retry_day', `each retry is a whole number of days from 1 to ${DUNNING_MAX_DAY} after the period's start.`);
    }
    if (i > 0 && d <= (days[i - 1] as number)) throw invalid(`retryDays[${i}]`, 'not_increasing', 'retry days must be strictly increasing.');
  });
  // An oversized text is bad input of any field, not a schedule (the bad-input sweep's rule).
  if (typeof input.finalStatus === 'string' && input.finalStatus.length > 64) throw badUserInput('finalStatus', 'is too long.');
  const status = typeof input.finalStatus === 'string' ? input.finalStatus.toUpperCase() : input.finalStatus;
  if (!DUNNING_FINAL_STATUSES.includes(status as DunningFinalStatus)) {
    throw invalid('finalStatus', 'final_status', `must be one of ${DUNNING_FINAL_STATUSES.join(', ')}.`);
  }
  return { retryDays: [...(days as number[])], finalStatus: status as DunningFinalStatus };
}
