// The pay route's body: `{ card: { number, expMonth, expYear, cvc, name? } }` or
// `{ testCard }` (the page's own form, the sandbox), or `{ payment_method: "pm_…" }` (what
// Stripe.js made in the buyer's browser: a merchant paid through Stripe). Checked here so the buyer gets a field-named 400; the number itself goes only
// to confirmPaymentIntent and is never quoted in an error or a log.
import { cardNumberDigits } from '@handoff/shared/input/luhn';

export type PayInput = { ok: true; cardNumber: string } | { ok: true; paymentMethod: string } | { ok: false; field: string; message: string };

/** A Stripe PaymentMethod id, as Stripe.js answers it. */
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,120}$/;

const fail = (field: string, message: string): PayInput => ({ ok: false, field, message });

// An unknown key is refused, not ignored: a Stripe-style `payment_method_data` must not pay as if it were a card.
const PAY_KEYS = new Set(['card', 'testCard', 'payment_method']);
const CARD_KEYS = new Set(['number', 'expMonth', 'expYear', 'cvc', 'name']);
const shownKey = (key: string) => (key.length > 40 ? `${key.slice(0, 40)}…` : key).replaceAll('\u0000', '');

function cardNumber(value: unknown, field: string): PayInput {
  const digits = cardNumberDigits(value);
  if (digits === null) return fail(field, 'is not a valid card number.');
  return { ok: true, cardNumber: digits };
}

function intOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,4}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function parsePayBody(body: unknown, now = new Date()): PayInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return fail('body', 'must be a JSON object.');
  const b = body as Record<string, unknown>;
  const unknownKey = Object.keys(b).find((k) => !PAY_KEYS.has(k));
  if (unknownKey !== undefined) return fail(shownKey(unknownKey), 'is not a field of this request (known fields: card, testCard, payment_method).');
  if (b.payment_method !== undefined) {
    if (b.card !== undefined || b.testCard !== undefined) return fail('payment_method', 'give either a payment method or a card, not both.');
    if (typeof b.payment_method !== 'string' || !PAYMENT_METHOD.test(b.payment_method)) return fail('payment_method', 'must be a payment method id (pm_…).');
    return { ok: true, paymentMethod: b.payment_method };
  }
  if (b.testCard !== undefined && b.card !== undefined) return fail('card', 'give either card or testCard, not both.');
  if (b.testCard !== undefined) return cardNumber(b.testCard, 'testCard');
  if (!b.card || typeof b.card !== 'object' || Array.isArray(b.card)) return fail('card', 'is required.');
  const card = b.card as Record<string, unknown>;
  const unknownCardKey = Object.keys(card).find((k) => !CARD_KEYS.has(k));
  if (unknownCardKey !== undefined) {
    return fail(`card.${shownKey(unknownCardKey)}`, `is not a field of this request (known fields: ${[...CARD_KEYS].join(', ')}).`);
  }
  const number = cardNumber(card.number, 'card.number');
  if (!number.ok) return number;
  const month = intOf(card.expMonth);
  if (month === undefined || month < 1 || month > 12) return fail('card.expMonth', 'must be a month from 1 to 12.');
  let year = intOf(card.expYear);
  if (year !== undefined && year < 100) year += 2000;
  if (year === undefined || year < 2000 || year > 2100) return fail('card.expYear', 'must be a year such as 2030.');
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (year < thisYear || (year === thisYear && month < thisMonth)) return fail('card.expYear', 'the card has expired.');
  if (year > thisYear + 20) return fail('card.expYear', 'is too far in the future.');
  if (typeof card.cvc !== 'string' || !/^\d{3,4}$/.test(card.cvc.trim())) return fail('card.cvc', 'must be 3 or 4 digits.');
  if (card.name !== undefined && card.name !== null && (typeof card.name !== 'string' || card.name.length > 200)) {
    return fail('card.name', 'must be text of at most 200 characters.');
  }
  return number;
}
