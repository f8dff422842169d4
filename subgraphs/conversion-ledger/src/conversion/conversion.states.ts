// The conversion's status as a transition table. PENDING → VALIDATED (validation window passed,
// no open dispute) → PAYABLE (gating milestone done) → PAID; CLAWED_BACK and DISPUTED from any
// live state; DISPUTED goes back where it was (won) or to CLAWED_BACK (lost); REJECTED only
// for a flagged conversion an admin rejects.
import { assertTransition as assertAllowed, canTransition as tableAllows, stateMove, stateTable } from '@handoff/shared';
import { ConversionStatus as S } from './conversion.enums.js';

export const conversionStates = stateTable<S>('conversion', {
  [S.PENDING]: [S.VALIDATED, S.CLAWED_BACK, S.DISPUTED, S.REJECTED],
  [S.VALIDATED]: [S.PAYABLE, S.CLAWED_BACK, S.DISPUTED],
  [S.PAYABLE]: [S.PAID, S.CLAWED_BACK, S.DISPUTED],
  [S.PAID]: [S.CLAWED_BACK, S.DISPUTED],
  [S.DISPUTED]: [S.PENDING, S.VALIDATED, S.PAYABLE, S.PAID, S.CLAWED_BACK],
  [S.CLAWED_BACK]: [],
  [S.REJECTED]: [],
}, (from, to) => `A ${from} conversion cannot become ${to}.`);

export const transitions = conversionStates.moves;

/**
 * The moves set-based SQL makes, named, each a path through the table (checked when this module
 * loads). The statements take their `WHERE status = …` and `SET status = …` from these, and
 * conversion-sql-moves.spec.ts fails on any UPDATE of ledger.conversions that writes a status
 * some other way. `steps` is how far the row's version moves.
 */
export const conversionSqlMoves = Object.freeze({
  /** Settlement: the validation window passed; the PAYABLE gate is not done yet. */
  validate: stateMove(conversionStates, 'validate', S.PENDING, S.VALIDATED),
  /** Settlement: the validation window passed and the gate is done (or there is none). */
  validateToPayable: stateMove(conversionStates, 'validateToPayable', S.PENDING, S.VALIDATED, S.PAYABLE),
  /** Settlement: a VALIDATED conversion whose gate is now done. */
  makePayable: stateMove(conversionStates, 'makePayable', S.VALIDATED, S.PAYABLE),
  /** markBatchPaid: the batch paying its commission line was paid. */
  pay: stateMove(conversionStates, 'pay', S.PAYABLE, S.PAID),
});

/** Statuses a conversion can still move from (its commission is live). */
export const LIVE_STATUSES: readonly S[] = [S.PENDING, S.VALIDATED, S.PAYABLE, S.PAID];

export const canTransition = (from: S, to: S): boolean => tableAllows(conversionStates, from, to);

/** Throws INVALID_STATE_TRANSITION ("A PAID conversion cannot become PENDING.", reason conversion:PAID->PENDING) unless allowed. */
export const assertTransition = (from: S, to: S): void => assertAllowed(conversionStates, from, to);
