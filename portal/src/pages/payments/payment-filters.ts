// The Payments list's filters (paymentIntents(filter:)): what the reader typed, kept in the page's
// URL (?status=A,B&from=&to=&min=&max=&currency=&email=) so a reload or a shared link keeps them,
// and turned into the graph's PaymentIntentFilter. Dates are whole UTC days ("to" inclusive for
// the reader, exclusive for the graph); amounts are typed in major units and sent as exact minor
// units of the currency (no float maths); the email is matched exactly, lowercase, by the graph.
import type { PaymentIntentFilter, PaymentIntentStatus } from '../../generated/graphql';
import { currencyExponent } from '../../lib/money';

export const PAYMENT_STATUSES: readonly PaymentIntentStatus[] = [
  'SUCCEEDED',
  'REQUIRES_CAPTURE',
  'PROCESSING',
  'REQUIRES_ACTION',
  'REQUIRES_CONFIRMATION',
  'REQUIRES_PAYMENT_METHOD',
  'CANCELED',
];

export interface PaymentFilterInput {
  statuses: PaymentIntentStatus[];
  /** YYYY-MM-DD (an <input type="date">'s value), or '' for none. */
  from: string;
  to: string;
  /** Major units as typed ("12.50"), or ''. */
  min: string;
  max: string;
  currency: string;
  email: string;
}

export const NO_FILTERS: PaymentFilterInput = { statuses: [], from: '', to: '', min: '', max: '', currency: '', email: '' };

export type PaymentFilterParse = { ok: true; filter: PaymentIntentFilter } | { ok: false; field: keyof PaymentFilterInput; message: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCY = /^[A-Za-z]{3}$/;

function utcDay(text: string): Date | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? d : undefined;
}

/** "12.5" in GBP → 1250, exactly; undefined when it is not a non-negative amount with at most the currency's decimals. */
export function toMinorUnits(text: string, currency: string): number | undefined {
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return undefined;
  const exponent = currencyExponent(currency);
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) return undefined;
  const minor = Number(`${m[1]}${fraction.padEnd(exponent, '0')}`);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

export function paymentFilterFromSearch(params: URLSearchParams): PaymentFilterInput {
  const statuses = (params.get('status') ?? '')
    .split(',')
    .filter((s): s is PaymentIntentStatus => (PAYMENT_STATUSES as readonly string[]).includes(s));
  const text = (k: string, max = 254) => (params.get(k) ?? '').slice(0, max);
  return {
    statuses: [...new Set(statuses)],
    from: DAY.test(text('from')) ? text('from') : '',
    to: DAY.test(text('to')) ? text('to') : '',
    min: text('min', 30),
    max: text('max', 30),
    currency: text('currency', 3).toUpperCase(),
    email: text('email'),
  };
}

export function paymentFilterToSearch(input: PaymentFilterInput): Record<string, string> {
  const out: Record<string, string> = {};
  if (input.statuses.length) out.status = input.statuses.join(',');
  for (const k of ['from', 'to', 'min', 'max', 'currency', 'email'] as const) {
    const v = input[k].trim();
    if (v !== '') out[k] = v;
  }
  return out;
}

export function isFiltered(input: PaymentFilterInput): boolean {
  return Object.keys(paymentFilterToSearch(input)).length > 0;
}

/** The reader's filters → the graph's, or the first thing wrong (the field, what to do). */
export function toPaymentFilter(input: PaymentFilterInput): PaymentFilterParse {
  const filter: PaymentIntentFilter = {};
  if (input.statuses.length) filter.status = input.statuses;
  const from = input.from ? utcDay(input.from) : undefined;
  const to = input.to ? utcDay(input.to) : undefined;
  if (input.from && !from) return { ok: false, field: 'from', message: 'Enter the “From” date as YYYY-MM-DD' };
  if (input.to && !to) return { ok: false, field: 'to', message: 'Enter the “To” date as YYYY-MM-DD' };
  if (from && to && from > to) return { ok: false, field: 'to', message: '“From” must be on or before “To”' };
  if (from) filter.createdFrom = from.toISOString();
  if (to) filter.createdTo = new Date(to.getTime() + 86_400_000).toISOString();
  const currency = input.currency.trim().toUpperCase();
  if (currency && !CURRENCY.test(currency)) return { ok: false, field: 'currency', message: 'Enter the currency as a 3-letter code, such as GBP' };
  const min = input.min.trim();
  const max = input.max.trim();
  if ((min || max) && !currency) return { ok: false, field: 'currency', message: 'Choose the currency the amounts are in' };
  const minMinor = min ? toMinorUnits(min, currency) : undefined;
  const maxMinor = max ? toMinorUnits(max, currency) : undefined;
  if (min && minMinor === undefined) return { ok: false, field: 'min', message: `Enter the minimum as an amount such as 12.50 (${currency} has ${currencyExponent(currency)} decimal places)` };
  if (max && maxMinor === undefined) return { ok: false, field: 'max', message: `Enter the maximum as an amount such as 12.50 (${currency} has ${currencyExponent(currency)} decimal places)` };
  if (minMinor !== undefined && maxMinor !== undefined && minMinor > maxMinor) return { ok: false, field: 'max', message: 'The minimum must not be more than the maximum' };
  if (currency) filter.currency = currency;
  if (minMinor !== undefined) filter.amountMin = minMinor;
  if (maxMinor !== undefined) filter.amountMax = maxMinor;
  const email = input.email.trim().toLowerCase();
  if (email && (email.length > 254 || !EMAIL.test(email))) return { ok: false, field: 'email', message: 'Enter the customer’s whole email address, such as name@example.com' };
  if (email) filter.customerEmail = email;
  return { ok: true, filter };
}
