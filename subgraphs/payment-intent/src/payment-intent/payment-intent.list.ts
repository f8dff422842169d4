// The payments list (issue 23; Stripe's GET /v1/payment_intents with a search): a principal's
// payment intents, newest first, by keyset cursor (created_at, id), narrowed by a filter:
//   - status: any of the listed statuses;
//   - createdFrom ≤ created_at < createdTo;
//   - amountMin ≤ amount ≤ amountMax, minor units of `currency` (amounts in different currencies
//     do not compare, so an amount bound needs a currency; a currency alone lists that currency);
//   - customerEmail: the buyer's email (receipt_email), exact match after lowercasing;
//   - merchantId: an admin's choice of merchant (a merchant's own scope already pins it).
// Tenancy: the caller's scope (payment-intent.access.ts) is applied first, so a filter can only
// narrow what the principal may see. Bad input → BAD_USER_INPUT naming the field, nothing read.
import { badUserInput, decodeCursor, normalizeCurrency, pageSize, toPage, type Page, type Principal } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { findVisiblePaymentIntent, scopePaymentIntents } from './payment-intent.access.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus } from './payment-intent.enums.js';
import { normalizeReceiptEmail } from './receipt-email.js';

export interface PaymentIntentFilterSpec {
  merchantId?: string | null;
  status?: PaymentIntentStatus[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  amountMin?: number | null;
  amountMax?: number | null;
  currency?: string | null;
  customerEmail?: string | null;
}

interface CheckedFilter {
  merchantId: string | null;
  status: PaymentIntentStatus[] | null;
  createdFrom: Date | null;
  createdTo: Date | null;
  amountMin: number | null;
  amountMax: number | null;
  currency: string | null;
  customerEmail: string | null;
}

const STATUSES = Object.values(PaymentIntentStatus) as string[];

/** The filter checked and normalised; BAD_USER_INPUT (field `filter.<name>`) for the first thing wrong. */
export function checkPaymentIntentFilter(given: PaymentIntentFilterSpec | null | undefined): CheckedFilter {
  const f = given ?? {};
  // An empty list is no status filter (every status), as the portal's multi-select with none chosen.
  const status = f.status && f.status.length > 0 ? f.status : null;
  if (status !== null) {
    if (status.length > STATUSES.length) throw badUserInput('filter.status', `must list at most ${STATUSES.length} statuses.`);
    for (const [i, s] of status.entries()) if (!STATUSES.includes(s)) throw badUserInput(`filter.status[${i}]`, `must be one of ${STATUSES.join(', ')}.`);
  }
  const createdFrom = date(f.createdFrom, 'filter.createdFrom');
  const createdTo = date(f.createdTo, 'filter.createdTo');
  if (createdFrom && createdTo && createdFrom.getTime() >= createdTo.getTime()) throw badUserInput('filter.createdTo', 'must be after filter.createdFrom.');
  const amountMin = amount(f.amountMin, 'filter.amountMin');
  const amountMax = amount(f.amountMax, 'filter.amountMax');
  if (amountMin !== null && amountMax !== null && amountMin > amountMax) throw badUserInput('filter.amountMax', 'must be at least filter.amountMin.');
  const currency = f.currency === null || f.currency === undefined ? null : normalizeCurrency(f.currency, 'filter.currency');
  if ((amountMin !== null || amountMax !== null) && currency === null) {
    throw badUserInput('filter.currency', 'is required with filter.amountMin or filter.amountMax (amounts are minor units of one currency).');
  }
  const merchantId = f.merchantId ?? null;
  if (merchantId !== null && !/^[A-Za-z0-9_-]{1,100}$/.test(merchantId)) throw badUserInput('filter.merchantId', 'must be an id of at most 100 letters, digits, dashes or underscores.');
  return { merchantId, status, createdFrom, createdTo, amountMin, amountMax, currency, customerEmail: normalizeReceiptEmail(f.customerEmail, 'filter.customerEmail') };
}

function date(value: Date | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw badUserInput(field, 'must be an ISO 8601 date-time.');
  // PostgreSQL's timestamps start at 4713 BC: a date outside years 1 to 9999 is no filter anyone means.
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw badUserInput(field, 'must be between years 1 and 9999.');
  return value;
}

function amount(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0) throw badUserInput(field, 'must be a whole number of minor units, 0 or more.');
  return value;
}

/**
 * The cursor's intent id; BAD_USER_INPUT `after` when it is not one. The page continues after that
 * intent's (created_at, id), read from the row itself: created_at keeps microseconds a JavaScript
 * date would drop, so a timestamp in the cursor could skip or repeat rows.
 */
function cursorId(after: string | null | undefined): string | null {
  const raw = decodeCursor(after);
  if (raw === undefined) return null;
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(raw)) throw badUserInput('after', 'is not a valid cursor');
  return raw;
}

/** One page of the payment intents `principal` may see that match `filter`, newest first. */
export async function listPaymentIntents(
  manager: EntityManager,
  principal: Principal,
  filter: PaymentIntentFilterSpec | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Page<PaymentIntentEntity>> {
  const limit = pageSize(first);
  const f = checkPaymentIntentFilter(filter);
  const cursor = cursorId(after);
  const qb = manager.createQueryBuilder(PaymentIntentEntity, 'pi').where('TRUE');
  scopePaymentIntents(qb, 'pi', principal);
  if (f.merchantId !== null) qb.andWhere('pi.merchantId = :filterMerchantId', { filterMerchantId: f.merchantId });
  if (f.status !== null) qb.andWhere('pi.status IN (:...filterStatus)', { filterStatus: f.status });
  if (f.createdFrom) qb.andWhere('pi.createdAt >= :createdFrom', { createdFrom: f.createdFrom });
  if (f.createdTo) qb.andWhere('pi.createdAt < :createdTo', { createdTo: f.createdTo });
  if (f.currency !== null) qb.andWhere('pi.currency = :filterCurrency', { filterCurrency: f.currency });
  if (f.amountMin !== null) qb.andWhere('pi.amountMinor >= :amountMin', { amountMin: f.amountMin });
  if (f.amountMax !== null) qb.andWhere('pi.amountMinor <= :amountMax', { amountMax: f.amountMax });
  if (f.customerEmail !== null) qb.andWhere('pi.receiptEmail = :customerEmail', { customerEmail: f.customerEmail });
  const totalCount = await qb.clone().getCount();
  if (cursor) {
    // Only a cursor the caller was given: another tenant's intent would tell where it sits in time.
    if (!(await findVisiblePaymentIntent(manager, principal, cursor))) throw badUserInput('after', 'is not a valid cursor');
    qb.andWhere(`(pi.created_at, pi.id) < (SELECT c.created_at, c.id FROM ${manager.connection.getMetadata(PaymentIntentEntity).tablePath} c WHERE c.id = :cursorId)`, { cursorId: cursor });
  }
  const rows = await qb.orderBy('pi.createdAt', 'DESC').addOrderBy('pi.id', 'DESC').take(limit + 1).getMany();
  return toPage(rows, limit, totalCount, (r) => r.id);
}
