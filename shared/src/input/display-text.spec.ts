import { describe, expect, it } from 'vitest';
import { HandoffError } from '../errors/index.js';
import { BIDI_CONTROL_CHARACTERS, displayText, optionalDisplayText, refuseBidiControls } from './display-text.js';

function refusal(fn: () => unknown): HandoffError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HandoffError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('display text', () => {
  it('refuses every bidi control character (overrides, embeddings, isolates, marks), naming the field and the code point', () => {
    expect(BIDI_CONTROL_CHARACTERS).toHaveLength(12);
    for (const c of BIDI_CONTROL_CHARACTERS) {
      const err = refusal(() => displayText(`SIM ${c}drac`, 'lineItems[0].name'));
      expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lineItems[0].name' });
      const hex = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      expect(err.message).toBe(`lineItems[0].name: must not contain bidirectional control characters (found U+${hex}).`);
    }
    expect(refusal(() => optionalDisplayText('\u202eevil', 'name')).extensions.field).toBe('name');
    expect(refusal(() => refuseBidiControls('a\u2067b', 'reason')).extensions.field).toBe('reason');
  });

  it('accepts right-to-left and other scripts, and emoji, as long as no control reorders them', () => {
    expect(displayText('  שלום עולם  ', 'name')).toBe('שלום עולם');
    expect(displayText('متجر القاهرة', 'name')).toBe('متجر القاهرة');
    expect(displayText('Café 🚀 Zürich', 'name')).toBe('Café 🚀 Zürich');
    expect(optionalDisplayText(null, 'name')).toBeUndefined();
    expect(refuseBidiControls(undefined, 'reason')).toBeUndefined();
  });

  it('keeps the other rules: required, non-empty, bounded in code points, one line', () => {
    expect(refusal(() => displayText(undefined, 'name')).message).toBe('name: is required.');
    expect(refusal(() => displayText('   ', 'name')).message).toBe('name: must not be empty.');
    expect(refusal(() => displayText('a\nb', 'name')).message).toBe('name: must not contain control characters.');
    expect(displayText('🚀'.repeat(5), 'name', 5)).toBe('🚀'.repeat(5));
    expect(refusal(() => displayText('a'.repeat(6), 'name', 5)).message).toBe('name: must be at most 5 characters.');
  });
});
