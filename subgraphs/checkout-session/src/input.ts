// Small input checks every concept here uses. Each throws BAD_USER_INPUT naming the field.
import { badUserInput } from '@handoff/shared';

// Control characters (including newlines) have no place in a name shown to people.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A trimmed, non-empty, single-line string of at most `max` characters (code points). */
export function requiredText(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badUserInput(field, 'must not be empty.');
  if ([...trimmed].length > max) throw badUserInput(field, `must be at most ${max} characters.`);
  if (CONTROL.test(trimmed)) throw badUserInput(field, 'must not contain control characters.');
  return trimmed;
}

/** Like requiredText, but null/undefined stay undefined (the field was not given). */
export function optionalText(value: unknown, field: string, max = 200): string | undefined {
  return value === null || value === undefined ? undefined : requiredText(value, field, max);
}

/** An id argument: present and of sane length (an unknown id is the caller's NOT_FOUND, not bad input). */
export function requiredId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(field, 'is required.');
  if (value.length > 200) throw badUserInput(field, 'is not a valid id.');
  return value.trim();
}
