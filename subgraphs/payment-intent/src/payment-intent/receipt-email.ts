// The buyer's email on a payment intent (receipt_email): lowercase, trimmed, at most 254
// characters, one @ with something either side and a dot in the domain. The payments list's
// customerEmail filter is an exact match on it, normalised the same way.
import { badUserInput } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { PaymentIntentEntity } from './payment-intent.entity.js';

// No whitespace, control, format (bidi) or unassigned characters anywhere: a NUL would not even reach PostgreSQL.
const EMAIL = /^[^\s@\p{C}]+@[^\s@\p{C}]+\.[^\s@\p{C}]+$/u;

/** `value` normalised, or null for none; BAD_USER_INPUT naming `field` when it is not an email. */
export function normalizeReceiptEmail(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > 320) throw badUserInput(field, 'must be an email address (name@example.com) of at most 254 characters.');
  const email = value.trim().toLowerCase();
  if (email === '') return null;
  if (email.length > 254 || !EMAIL.test(email)) throw badUserInput(field, 'must be an email address (name@example.com).');
  return email;
}

/** What checkout-session says the buyer's email is, normalised; null (not stored) when it is not an email. */
export function receiptEmailOrNull(value: string | null | undefined): string | null {
  try {
    return normalizeReceiptEmail(value, 'customerEmail');
  } catch {
    return null;
  }
}

/**
 * Keeps what checkout-session now says the buyer's email is (a session's email may be given after
 * its intent was created). Nothing when it is unknown, not an email, or already the intent's. Runs
 * in the caller's transaction under the intent's lock; not a state change (no version, no event).
 */
export async function recordReceiptEmail(manager: EntityManager, intent: PaymentIntentEntity, given: string | null | undefined): Promise<void> {
  const email = receiptEmailOrNull(given);
  if (email === null || email === intent.receiptEmail) return;
  await manager.update(PaymentIntentEntity, { id: intent.id }, { receiptEmail: email });
  intent.receiptEmail = email;
}
