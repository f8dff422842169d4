// The Payments pages' logic: what can be refunded or captured, the amount a reader types parsed
// to minor units (exactly, by the currency's exponent), and the detail's timeline and disputes.
import { currencyExponent, type MoneyValue } from '../../lib/money';

export function statusLabel(status: string): string {
  const s = status.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function refundableMinor(p: { status: string; amountCaptured: MoneyValue; amountRefunded: MoneyValue }): number {
  if (p.status !== 'SUCCEEDED') return 0;
  return Math.max(0, p.amountCaptured.amountMinor - p.amountRefunded.amountMinor);
}

export function canCapture(p: { status: string }): boolean {
  return p.status === 'REQUIRES_CAPTURE';
}

export type AmountParse = { ok: true; amountMinor: number } | { ok: false; message: string };

/** "12.5" in GBP → 1250; refuses more decimals than the currency has, zero, and above `max`. */
export function parseAmount(text: string, currency: string, max: number): AmountParse {
  const exponent = currencyExponent(currency);
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return { ok: false, message: 'Enter an amount such as 12.50' };
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) return { ok: false, message: `${currency} has ${exponent} decimal places` };
  const digits = `${m[1]}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  const amountMinor = Number(digits);
  if (!Number.isSafeInteger(amountMinor)) return { ok: false, message: 'That amount is too large' };
  if (amountMinor <= 0) return { ok: false, message: 'Enter an amount above zero' };
  if (amountMinor > max) return { ok: false, message: 'That is more than can be refunded' };
  return { ok: true, amountMinor };
}

export interface TimelineItem {
  at: string;
  kind: 'event' | 'refund';
  label: string;
  amount?: MoneyValue;
  /** The refund's reason as the merchant typed it (React text only). */
  note?: string;
}

const EVENT_LABELS: Readonly<Record<string, string>> = {
  'payment_intent.created': 'Created',
  'payment_intent.succeeded': 'Succeeded',
  'payment_intent.amount_capturable_updated': 'Authorized',
  'payment_intent.canceled': 'Canceled',
  'payment_intent.payment_failed': 'Payment failed',
  'payment_intent.refunded': 'Refunded',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}

/** Events and refunds together, oldest first (a refund is its own entry, with its amount). */
export function paymentTimeline(
  events: ReadonlyArray<{ type: string; at: string }>,
  refunds: ReadonlyArray<{ id: string; amount: MoneyValue; status: string; createdAt: string; reason?: string | null }>,
): TimelineItem[] {
  const items: TimelineItem[] = [
    ...events.map((e) => ({ at: e.at, kind: 'event' as const, label: eventLabel(e.type) })),
    ...refunds.map((r) => ({ at: r.createdAt, kind: 'refund' as const, label: `Refund ${r.status.toLowerCase()}`, amount: r.amount, note: r.reason || undefined })),
  ];
  return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Dispute events (psp.charge.dispute.*), oldest first. */
export function disputes(events: ReadonlyArray<{ type: string; at: string }>): Array<{ type: string; at: string }> {
  return events.filter((e) => /dispute/i.test(e.type)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function formatDateTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}
