// Assertions on HandoffError for unit specs: which field a validation failure names.
import { HandoffError } from '@handoff/shared';
import { expect } from 'vitest';

/** Runs `fn`, expects it to throw BAD_USER_INPUT, and returns the field the error names. */
export function badField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HandoffError);
    expect((error as HandoffError).extensions.code).toBe('BAD_USER_INPUT');
    return (error as HandoffError).extensions.field as string | undefined;
  }
  throw new Error('expected BAD_USER_INPUT');
}
