// A concept's lifecycle as a table: every status it may move to from each status, nothing else.
// One shape for every concept (payment intents, checkout and agent sessions, conversions): the
// table says what is allowed, `assertTransition` refuses anything else with INVALID_STATE_TRANSITION,
// and set-based SQL that moves many rows at once names the `StateMove` it applies.
import { invalidStateTransition } from '../errors/index.js';

export interface StateTable<S extends string> {
  /** The concept, in snake_case: a refusal's reason is `<concept>:<from>-><to>`. */
  readonly concept: string;
  /** Allowed moves: for each status, the statuses it may go to (an empty list: terminal). */
  readonly moves: Readonly<Record<S, readonly S[]>>;
  /** The refusal's message for a move the table does not allow. */
  readonly refusal: (from: S, to: S) => string;
}

/** What a refusal says instead of the table's words (the code is always INVALID_STATE_TRANSITION). */
export interface TransitionRefusal {
  message: string;
  reason: string;
}

/** A table, frozen; `refusal` defaults to "A <concept> cannot go from <from> to <to>." */
export function stateTable<S extends string>(
  concept: string,
  moves: Record<S, readonly S[]>,
  refusal?: (from: S, to: S) => string,
): StateTable<S> {
  const frozen = Object.freeze(
    Object.fromEntries(Object.entries<readonly S[]>(moves).map(([from, to]) => [from, Object.freeze([...to])])),
  ) as Readonly<Record<S, readonly S[]>>;
  const words = concept.replaceAll('_', ' ');
  return Object.freeze({
    concept,
    moves: frozen,
    refusal: refusal ?? ((from: S, to: S) => `${/^[aeiou]/i.test(words) ? 'An' : 'A'} ${words} cannot go from ${from} to ${to}.`),
  });
}

/** Whether the table allows `from → to` (an unknown `from` allows nothing). */
export function canTransition<S extends string>(table: StateTable<S>, from: S, to: S): boolean {
  return Object.hasOwn(table.moves, from) ? table.moves[from].includes(to) : false;
}

/** Throws INVALID_STATE_TRANSITION unless the table allows `from → to`. */
export function assertTransition<S extends string>(table: StateTable<S>, from: S, to: S, refusal?: TransitionRefusal): void {
  if (canTransition(table, from, to)) return;
  throw invalidStateTransition(refusal?.message ?? table.refusal(from, to), refusal?.reason ?? `${table.concept}:${from}->${to}`);
}

/** Whether `status` has no move out. */
export const isTerminal = <S extends string>(table: StateTable<S>, status: S): boolean => table.moves[status].length === 0;

/**
 * A named move that set-based SQL applies to many rows: `from`, through each step of `path`, to
 * `to`, every step allowed by the table. `steps` is how many transitions it makes (a row's version
 * rises by as many). Built when the module loads, so a table that stops allowing it fails at once.
 */
export interface StateMove<S extends string> {
  readonly name: string;
  readonly path: readonly S[];
  readonly from: S;
  readonly to: S;
  readonly steps: number;
}

export function stateMove<S extends string>(table: StateTable<S>, name: string, ...path: [S, S, ...S[]]): StateMove<S> {
  for (let i = 1; i < path.length; i++) {
    if (!canTransition(table, path[i - 1]!, path[i]!)) {
      throw new Error(`State move ${name}: the ${table.concept} table does not allow ${path[i - 1]} -> ${path[i]}.`);
    }
  }
  return Object.freeze({ name, path: Object.freeze([...path]), from: path[0], to: path[path.length - 1]!, steps: path.length - 1 });
}

/** A status as an SQL string literal, for statements built from a `StateMove` (status names are identifiers). */
export function sqlStatus(status: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(status)) throw new Error(`Not a status name: ${JSON.stringify(status)}`);
  return `'${status}'`;
}
