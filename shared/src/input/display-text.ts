// Text that people read: merchant, offer, agent and builder names, checkout line items, labels.
// One definition of what such text may hold, used by every package that accepts it (GraphQL and
// the REST edges alike, which reach the same services). Each check throws BAD_USER_INPUT naming the field.
import { badUserInput } from '../errors/index.js';

/** C0 and C1 control characters (newlines included): a name is one line of visible text. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Unicode's bidirectional formatting characters: the embeddings and overrides U+202A–U+202E
 * (LRE, RLE, PDF, LRO, RLO), the isolates U+2066–U+2069 (LRI, RLI, FSI, PDI) and the implicit
 * marks U+200E, U+200F, U+061C (LRM, RLM, ALM). They are invisible and reorder the text around
 * them ("Trojan Source", CVE-2021-42574): `‮moc.elgoog` renders as `google.com`. A name never
 * needs them (the page isolates each name and lets the browser find its direction), so they are
 * refused rather than stripped: the caller learns what was wrong, and nothing is silently changed.
 */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/** The bidi control characters, each as `U+XXXX`, for messages and tests. */
export const BIDI_CONTROL_CHARACTERS: readonly string[] = [
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c,
].map((c) => String.fromCodePoint(c));

/** Throws BAD_USER_INPUT (naming `field`) when `value` holds a bidi control character. */
export function refuseBidiControls<T extends string | null | undefined>(value: T, field: string): T {
  if (typeof value === 'string') {
    const found = BIDI_CONTROL.exec(value);
    if (found) {
      const code = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw badUserInput(field, `must not contain bidirectional control characters (found ${code}).`);
    }
  }
  return value;
}

/** A trimmed, non-empty, single-line display text of at most `max` characters (code points), with no bidi controls. */
export function displayText(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badUserInput(field, 'must not be empty.');
  if (trimmed.length > max && [...trimmed].length > max) throw badUserInput(field, `must be at most ${max} characters.`);
  if (CONTROL.test(trimmed)) throw badUserInput(field, 'must not contain control characters.');
  return refuseBidiControls(trimmed, field);
}

/** Like displayText, but null/undefined stay undefined (the field was not given). */
export function optionalDisplayText(value: unknown, field: string, max = 200): string | undefined {
  return value === null || value === undefined ? undefined : displayText(value, field, max);
}
