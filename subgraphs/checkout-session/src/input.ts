// Small input checks every concept here uses. Each throws BAD_USER_INPUT naming the field.
import { badUserInput, displayText } from '@handoff/shared';

/**
 * A trimmed, non-empty, single-line string of at most `max` characters (code points), with no
 * control or bidirectional control characters: shared's displayText, the one check every package uses.
 */
export function requiredText(value: unknown, field: string, max = 200): string {
  return displayText(value, field, max);
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
