// The storm's script, decided before anything is sent: for each payment intent a fate and the
// Stripe-shaped events the sandbox PSP would emit for it, interleaved across intents; then 5 %
// of sends swapped with their intent's next event (out of order) and 10 % of sends repeats of
// an earlier event id (duplicates). Deterministic for a seed, so a failure can be replayed.
import { pspEventsFor, rng, type Fate, type PlannedEvent } from '../../bench/src/harness/psp-webhooks.js';
import type { StormIntent } from './storm-world.js';

export { rng, type Fate, type PlannedEvent };

export interface Send {
  event: PlannedEvent;
  duplicate: boolean;
  outOfOrder: boolean;
}

export interface StormPlan {
  fates: Fate[];
  events: PlannedEvent[];
  sends: Send[];
}

/** Average events per intent with the fates below: 0.8·4 + 0.1·5 + 0.1·3 = 4. */
export const EVENTS_PER_INTENT = 4;

export function planStorm(intents: StormIntent[], opts: { totalSends: number; duplicateRatio: number; outOfOrderRatio: number; seed?: number }): StormPlan {
  const random = rng(opts.seed ?? 7);
  const fates: Fate[] = intents.map(() => {
    const r = random();
    return r < 0.8 ? 'succeed' : r < 0.9 ? 'refund' : 'cancel';
  });
  const perIntent = intents.map((pi, i) => pspEventsFor(pi, i, fates[i]!));
  // Interleave: a window of ~40 intents in flight at once, the next event of a random one each time.
  const order: PlannedEvent[] = [];
  const window: number[] = [];
  let nextIntent = 0;
  const cursor = new Array<number>(intents.length).fill(0);
  while (order.length < perIntent.reduce((n, e) => n + e.length, 0)) {
    while (window.length < 40 && nextIntent < intents.length) window.push(nextIntent++);
    const w = Math.floor(random() * window.length);
    const i = window[w]!;
    order.push(perIntent[i]![cursor[i]!]!);
    cursor[i]! += 1;
    if (cursor[i] === perIntent[i]!.length) window.splice(w, 1);
  }
  // Out of order: swap an event with the next event of the same intent (the later one goes first).
  const outOfOrder = new Set<PlannedEvent>();
  const wanted = Math.round(order.length * opts.outOfOrderRatio);
  for (let tries = 0; outOfOrder.size < wanted && tries < wanted * 20; tries++) {
    const a = Math.floor(random() * order.length);
    const ev = order[a]!;
    if (outOfOrder.has(ev)) continue;
    const b = order.findIndex((e, k) => k > a && e.intentIndex === ev.intentIndex);
    if (b < 0 || outOfOrder.has(order[b]!)) continue;
    [order[a], order[b]] = [order[b]!, order[a]!];
    outOfOrder.add(order[a]!);
  }
  // Duplicates: repeats of an earlier event, sent again a little later (same id, same body).
  const sends: Send[] = order.map((event) => ({ event, duplicate: false, outOfOrder: outOfOrder.has(event) }));
  const dupCount = Math.max(0, opts.totalSends - sends.length);
  for (let d = 0; d < dupCount; d++) {
    const from = Math.floor(random() * sends.length);
    const at = Math.min(sends.length, from + 1 + Math.floor(random() * 200));
    sends.splice(at, 0, { event: sends[from]!.event, duplicate: true, outOfOrder: false });
  }
  return { fates, events: order, sends };
}

/** How many intents give `totalSends` sends with `duplicateRatio` of them repeats. */
export function intentsFor(totalSends: number, duplicateRatio: number): number {
  return Math.max(1, Math.round((totalSends * (1 - duplicateRatio)) / EVENTS_PER_INTENT));
}
