// How long one subgraph call may take. Every call gets the gateway's subgraph timeout, except a
// mutation with a long-running root field, which gets that field's own deadline: `runSettlement`
// is one transaction over every conversion due (100,000 take seconds), and cutting it off at the
// ordinary timeout answered the admin with an error while the run went on and committed.
// The same holds for a mutation that pays at the PSP (PAYMENT_MUTATIONS): payment-intent runs it in
// one transaction under the intent's row lock, asking checkout-session (up to 5 s) and the PSP (up
// to 10 s) inside it, and a concurrent call for the same intent waits for that lock. Cut off at the
// ordinary 10 s on a loaded machine, the caller was told the payment failed while it went on and
// charged (10 concurrent delegated pays answered 0 successes). Its deadline outlasts the
// subgraph's own bounds, so the answer the caller gets is the outcome.
import { Kind, parse } from 'graphql';

/** The deadline (ms) of a call sending this subgraph operation. */
export type DeadlineOf = (operation: string) => number;

/** Distinct mutation texts remembered; the planner makes few, and a full cache starts over. */
const REMEMBERED = 256;

/** What a payment mutation may take: above the subgraph's own PSP and checkout-session bounds plus a lock wait. */
export const PAYMENT_CALL_DEADLINE_MS = 45_000;

/** Root mutations that charge, capture or refund at the PSP inside payment-intent's transaction. */
export const PAYMENT_MUTATIONS = [
  'confirmPaymentIntent',
  'payCheckoutWithDelegatedPayment',
  'completeThreeDSecure',
  'capturePaymentIntent',
  'cancelPaymentIntent',
  'refundPaymentIntent',
] as const;

/** The long-running deadlines of the payment mutations (never shorter than the ordinary one). */
export function paymentDeadlines(defaultMs: number): Record<string, number> {
  return Object.fromEntries(PAYMENT_MUTATIONS.map((f) => [f, Math.max(defaultMs, PAYMENT_CALL_DEADLINE_MS)]));
}

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
