// The conversion's status as a transition table. PENDING → VALIDATED (validation window passed,
// no open dispute) → PAYABLE (gating milestone done) → PAID; CLAWED_BACK and DISPUTED from any
// live state; DISPUTED goes back where it was (won) or to CLAWED_BACK (lost); REJECTED only
// for a flagged conversion an admin rejects.
import { invalidStateTransition } from '@handoff/shared';
import { ConversionStatus as S } from './conversion.enums.js';

export const transitions: Readonly<Record<S, readonly S[]>> = Object.freeze({
  [S.PENDING]: [S.VALIDATED, S.CLAWED_BACK, S.DISPUTED, S.REJECTED],
  [S.VALIDATED]: [S.PAYABLE, S.CLAWED_BACK, S.DISPUTED],
  [S.PAYABLE]: [S.PAID, S.CLAWED_BACK, S.DISPUTED],
  [S.PAID]: [S.CLAWED_BACK, S.DISPUTED],
  [S.DISPUTED]: [S.PENDING, S.VALIDATED, S.PAYABLE, S.PAID, S.CLAWED_BACK],
  [S.CLAWED_BACK]: [],
  [S.REJECTED]: [],
});

/** Statuses a conversion can still move from (its commission is live). */
export const LIVE_STATUSES: readonly S[] = [S.PENDING, S.VALIDATED, S.PAYABLE, S.PAID];

export const canTransition = (from: S, to: S): boolean => transitions[from]?.includes(to) ?? false;

/** Throws INVALID_STATE_TRANSITION unless `from → to` is in the table. */
export function assertTransition(from: S, to: S): void {
  if (!canTransition(from, to)) {
    throw invalidStateTransition(`A ${from} conversion cannot become ${to}.`, `conversion:${from}->${to}`);
  }
}
