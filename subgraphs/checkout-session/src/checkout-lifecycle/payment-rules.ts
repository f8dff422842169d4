// The merchant's payment rules (seed 003 §17), checked when a session commits to paying
// (payment-commitment.ts), under the session's lock and before anything is written:
//   - max payment attempts: the session's confirmation attempts (counted at each commitment,
//     reset by a retry_payment or apply_discount resolution) → PAYMENT_ATTEMPTS_EXCEEDED;
//   - allowed payment methods per country: the session pays by card; a card not allowed for its
//     billing country (else its shipping country; else the `*` rule) → CHECKOUT_NOT_READY with a
//     payment_method_not_supported blocker (the calculation shows the same blocker);
//   - transaction limits: one payment's amount, the merchant's day (UTC) and one customer email's
//     hour → TRANSACTION_LIMIT_EXCEEDED with the rule as `reason`. The day and hour are counted
//     under a per-merchant advisory lock, so two payments at once cannot both pass a limit only one fits.
import {
  allowedPaymentMethodsFor,
  CHECKOUT_PAYMENT_METHOD,
  ErrorCode,
  HandoffError,
  readMinorUnits,
  type CheckoutRulesConfig,
  type TransactionLimitsConfig,
} from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { Blocker } from '../calculation/index.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { table } from '../events.js';

export const paymentAttemptsExceeded = (id: string, max: number) =>
  new HandoffError(
    ErrorCode.PAYMENT_ATTEMPTS_EXCEEDED,
    `Checkout session ${id} has used the ${max} payment attempt${max === 1 ? '' : 's'} its merchant allows; nothing was charged.`,
    { reason: 'payment_attempts:exceeded', maxPaymentAttempts: max },
  );

export type LimitRule = 'max_amount_per_payment' | 'max_amount_per_day' | 'max_payments_per_email_per_hour';

export const transactionLimitExceeded = (rule: LimitRule, message: string) =>
  new HandoffError(ErrorCode.TRANSACTION_LIMIT_EXCEEDED, `${message} Nothing was charged.`, { reason: `limit:${rule}` });

/** The country whose payment methods apply: the billing address's, else the shipping address's; null without either. */
export function paymentCountryOf(cs: Pick<CheckoutSessionEntity, 'billingAddress' | 'shippingAddress'>): string | null {
  return cs.billingAddress?.country ?? cs.shippingAddress?.country ?? null;
}

/** payment_method_not_supported when the merchant does not take cards from the session's country. */
export function paymentMethodBlocker(country: string | null, rules: Pick<CheckoutRulesConfig, 'settings'>): Blocker | null {
  const allowed = allowedPaymentMethodsFor(rules.settings.allowedPaymentMethods, country);
  if (!allowed || allowed.includes(CHECKOUT_PAYMENT_METHOD)) return null;
  const where = country ? `from ${country}` : 'without an address';
  return {
    code: 'payment_method_not_supported',
    message: `The merchant does not accept ${CHECKOUT_PAYMENT_METHOD} payments ${where} (accepted: ${allowed.join(', ') || 'none'}).`,
  };
}

/** Whether the attempt about to start is one too many. */
export function attemptsExceeded(attemptsSoFar: number, rules: Pick<CheckoutRulesConfig, 'settings'>): boolean {
  const max = rules.settings.maxPaymentAttempts;
  return max !== null && attemptsSoFar >= max;
}

/** TRANSACTION_LIMIT_EXCEEDED unless paying `amountMinor` now keeps within `limits`; reads only, in the caller's transaction. */
export async function assertWithinLimits(
  manager: EntityManager,
  cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId' | 'currency' | 'customerEmail'>,
  amountMinor: number,
  limits: TransactionLimitsConfig,
): Promise<void> {
  const perPayment = limits.maxAmountPerPayment;
  if (perPayment && perPayment.currency === cs.currency && amountMinor > perPayment.amountMinor) {
    throw transactionLimitExceeded('max_amount_per_payment', `The payment of ${amountMinor} ${cs.currency} minor units is above the merchant's limit per payment (${perPayment.amountMinor}).`);
  }
  const perDay = limits.maxAmountPerDay && limits.maxAmountPerDay.currency === cs.currency ? limits.maxAmountPerDay : null;
  const perEmail = limits.maxPaymentsPerEmailPerHour !== null && cs.customerEmail ? limits.maxPaymentsPerEmailPerHour : null;
  if (!perDay && perEmail === null) return;
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`checkout-limits:${cs.merchantId}`]);
  if (perDay) {
    // The merchant's other payments committed today (UTC) that have not failed or ended unpaid.
    const [row] = (await manager.query(
      `SELECT COALESCE(sum(t.payment_amount_minor), 0) AS total
         FROM ${table('checkout_session_terms')} t JOIN ${table('checkout_sessions')} s ON s.id = t.checkout_session_id
        WHERE s.merchant_id = $1 AND s.currency = $2 AND s.id <> $3 AND s.status IN ('OPEN', 'COMPLETE')
          AND t.payment_committed_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND NOT EXISTS (SELECT 1 FROM ${table('checkout_failures')} f
                           WHERE f.checkout_session_id = s.id AND f.resolved_at IS NULL AND f.category = 'payment_declined')`,
      [cs.merchantId, cs.currency, cs.id],
    )) as Array<{ total: string }>;
    const today = readMinorUnits(row?.total ?? '0');
    if (today + amountMinor > perDay.amountMinor) {
      throw transactionLimitExceeded(
        'max_amount_per_day',
        `The payment of ${amountMinor} ${cs.currency} minor units would take the merchant's payments today to ${today + amountMinor}, above its daily limit (${perDay.amountMinor}).`,
      );
    }
  }
  if (perEmail !== null) {
    const [row] = (await manager.query(
      `SELECT count(*)::int AS n
         FROM ${table('checkout_sessions')} s JOIN ${table('checkout_session_terms')} t ON t.checkout_session_id = s.id
        WHERE s.merchant_id = $1 AND lower(s.customer_email) = lower($2) AND s.id <> $3
          AND t.payment_committed_at > now() - interval '1 hour'`,
      [cs.merchantId, cs.customerEmail, cs.id],
    )) as Array<{ n: number }>;
    if ((row?.n ?? 0) >= perEmail) {
      throw transactionLimitExceeded(
        'max_payments_per_email_per_hour',
        `This customer email has made ${row?.n ?? 0} payment${row?.n === 1 ? '' : 's'} to the merchant in the last hour, its limit (${perEmail}).`,
      );
    }
  }
}
