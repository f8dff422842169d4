// Checks of a state table for its unit spec (no test framework here: a spec asserts the result).
import type { StateTable } from './state-table.js';

/**
 * What is wrong with `table` given every status the concept has: a status with no row, a row or a
 * target that is not a status, a move to itself, a duplicate target. Empty when the table is sound.
 */
export function stateTableProblems<S extends string>(table: StateTable<S>, statuses: readonly S[]): string[] {
  const problems: string[] = [];
  const known = new Set<string>(statuses);
  for (const s of statuses) if (!Object.hasOwn(table.moves, s)) problems.push(`${s} has no row`);
  for (const [from, targets] of Object.entries<readonly string[]>(table.moves)) {
    if (!known.has(from)) problems.push(`${from} is not a status`);
    const seen = new Set<string>();
    for (const to of targets) {
      if (!known.has(to)) problems.push(`${from} -> ${to}: ${to} is not a status`);
      if (to === from) problems.push(`${from} -> ${to}: a move to itself`);
      if (seen.has(to)) problems.push(`${from} -> ${to}: listed twice`);
      seen.add(to);
    }
  }
  return problems;
}

/** Every move the table allows, as `FROM->TO`, sorted: a spec compares it with the moves it expects. */
export function allowedMoves<S extends string>(table: StateTable<S>): string[] {
  return Object.entries<readonly string[]>(table.moves)
    .flatMap(([from, targets]) => targets.map((to) => `${from}->${to}`))
    .sort();
}
