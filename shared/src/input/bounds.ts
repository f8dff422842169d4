// Bounds on text a client sends: every String and ID argument is bounded, so no request can make
// a service read, hash or store a 100 kB value. Each throws BAD_USER_INPUT naming the field.
import { badUserInput } from '../errors/index.js';

/** The longest id any object here has (ULIDs are 26 characters); longer is bad input, never a lookup. */
export const MAX_ID_LENGTH = 100;
/** The default bound on a free-text field. */
export const MAX_TEXT_LENGTH = 200;

/** A string of at most `max` characters (code points), or undefined when not given; not trimmed. */
export function boundedText(value: unknown, field: string, max = MAX_TEXT_LENGTH): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw badUserInput(field, 'must be a string.');
  if (value.length > max && [...value].length > max) throw badUserInput(field, `must be at most ${max} characters.`);
  return value;
}

/** An optional id: undefined when not given, bad input when longer than MAX_ID_LENGTH. */
export function optionalId(value: unknown, field: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_ID_LENGTH) {
    throw badUserInput(field, `must be an id of at most ${MAX_ID_LENGTH} characters.`);
  }
  return value;
}

/** A required id: present, and at most MAX_ID_LENGTH characters (an unknown id is the caller's not-found). */
export function requiredId(value: unknown, field: string): string {
  const id = optionalId(value, field);
  if (id === undefined || id.trim() === '') throw badUserInput(field, 'is required.');
  return id;
}
