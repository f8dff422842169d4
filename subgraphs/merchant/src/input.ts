// Small input checks every concept here uses. Each throws BAD_USER_INPUT naming the field.
import { displayText } from '@handoff/shared';

/**
 * A trimmed, non-empty, single-line string of at most `max` characters, with no control or
 * bidirectional control characters: shared's displayText, the one check every package uses.
 */
export function requiredText(value: unknown, field: string, max = 200): string {
  return displayText(value, field, max);
}

/** Like requiredText, but null/undefined stay undefined (the field was not given). */
export function optionalText(value: unknown, field: string, max = 200): string | undefined {
  return value === null || value === undefined ? undefined : requiredText(value, field, max);
}
