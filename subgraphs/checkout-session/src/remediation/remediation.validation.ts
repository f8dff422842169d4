// Input checks of remediation (pure): the resolve action and its fields, a note, the list's filters.
import { badUserInput, forbidden, type Principal } from '@handoff/shared';
import { FAILURE_CATEGORIES, type FailureCategory, type ResolveAction } from './remediation.entity.js';

export const MAX_NOTE_LENGTH = 2000;
const ACTIONS: readonly ResolveAction[] = ['retry_payment', 'apply_discount', 'manual_override', 'cancel'];
// Control characters other than newline and tab, and bidirectional overrides (a note is shown to people).
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

export interface ResolveSpec {
  action: string;
  note?: string | null;
  promotionCode?: string | null;
}

export interface CheckedResolve {
  action: ResolveAction;
  note: string | null;
  promotionCode: string | null;
}

/** A note: 1 to 2000 characters once trimmed, lines allowed, no other control characters. */
export function noteText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const note = value.trim();
  if (note.length === 0) throw badUserInput(field, 'must not be empty.');
  if (note.length > MAX_NOTE_LENGTH) throw badUserInput(field, `must be at most ${MAX_NOTE_LENGTH} characters.`);
  if (UNSAFE.test(note)) throw badUserInput(field, 'must not contain control or bidirectional-override characters (newlines and tabs are fine).');
  return note;
}

/** The action and its fields checked for `principal`: manual_override is an admin's; apply_discount needs a code. */
export function checkResolve(principal: Principal, input: ResolveSpec): CheckedResolve {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const action = typeof input.action === 'string' ? (input.action.trim().toLowerCase() as ResolveAction) : undefined;
  if (!action || !ACTIONS.includes(action)) throw badUserInput('input.action', `must be one of ${ACTIONS.join(', ')}.`);
  const note = input.note === null || input.note === undefined ? null : noteText(input.note, 'input.note');
  if (action === 'manual_override') {
    if (principal.kind !== 'ADMIN') throw forbidden('Only an admin may resolve a failure by manual override.');
    if (!note) throw badUserInput('input.note', 'is required for a manual override: say why.');
  }
  let promotionCode: string | null = null;
  if (action === 'apply_discount') {
    if (typeof input.promotionCode !== 'string' || input.promotionCode.trim() === '') throw badUserInput('input.promotionCode', 'is required to apply a discount.');
    promotionCode = input.promotionCode;
  } else if (input.promotionCode !== null && input.promotionCode !== undefined) {
    throw badUserInput('input.promotionCode', 'is only for apply_discount.');
  }
  return { action, note, promotionCode };
}

/** The list's `reason` filter: a category (`payment_declined`) or an exact reason (`payment_declined:insufficient_funds`). */
export function reasonFilter(value: string | null | undefined): { category: FailureCategory } | { reason: string } | null {
  if (value === null || value === undefined || value === '') return null;
  const v = value.trim().toLowerCase();
  if ((FAILURE_CATEGORIES as readonly string[]).includes(v)) return { category: v as FailureCategory };
  const [category, detail] = v.split(':', 2);
  if (category && detail && (FAILURE_CATEGORIES as readonly string[]).includes(category) && /^[a-z0-9_]{1,100}$/.test(detail)) return { reason: v };
  throw badUserInput('reason', `must be one of ${FAILURE_CATEGORIES.join(', ')}, or a reason such as payment_declined:insufficient_funds.`);
}
