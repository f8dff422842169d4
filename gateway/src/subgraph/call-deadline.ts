// How long one subgraph call may take. Every call gets the gateway's subgraph timeout, except a
// mutation with a long-running root field, which gets that field's own deadline: `runSettlement`
// is one transaction over every conversion due (100,000 take seconds), and cutting it off at the
// ordinary timeout answered the admin with an error while the run went on and committed.
import { Kind, parse } from 'graphql';

/** The deadline (ms) of a call sending this subgraph operation. */
export type DeadlineOf = (operation: string) => number;

/** Distinct mutation texts remembered; the planner makes few, and a full cache starts over. */
const REMEMBERED = 256;

export function callDeadlines(defaultMs: number, longRunning: Readonly<Record<string, number>>): DeadlineOf {
  if (Object.keys(longRunning).length === 0) return () => defaultMs;
  const known = new Map<string, number>();
  return (operation) => {
    // The planner writes subgraph operations with their keyword first; only mutations can be long.
    if (!operation.startsWith('mutation')) return defaultMs;
    let ms = known.get(operation);
    if (ms === undefined) {
      ms = deadlineOfMutation(operation, defaultMs, longRunning);
      if (known.size >= REMEMBERED) known.clear();
      known.set(operation, ms);
    }
    return ms;
  };
}

/** The longest deadline among the operation's root fields (the default when none is long-running). */
function deadlineOfMutation(operation: string, defaultMs: number, longRunning: Readonly<Record<string, number>>): number {
  let ms = defaultMs;
  try {
    for (const def of parse(operation, { noLocation: true }).definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION || def.operation !== 'mutation') continue;
      for (const sel of def.selectionSet.selections) {
        const own = sel.kind === Kind.FIELD && Object.hasOwn(longRunning, sel.name.value) ? longRunning[sel.name.value] : undefined;
        if (own !== undefined && own > ms) ms = own;
      }
    }
  } catch {
    // Not a document we can read: the subgraph will say so; it gets the ordinary deadline.
  }
  return ms;
}
