// The allocation of a reservation over stock levels, by strategy (reservation.model.ts). Pure:
// the built-in provider reads the levels under row locks, calls this, then writes the result.
import { isShort, type AllocationStrategy, type LineAllocation, type LineRequest } from './reservation.model.js';

/** A stock level as the allocation sees it: what can still be held there (on hand − held, at least 0). */
export interface StockAvailability {
  offerId: string;
  locationId: string;
  available: number;
}

export interface AllocationResult {
  lines: LineAllocation[];
  /** The strategy's requirement is not met (all_or_nothing, single_location), or nothing at all could be held: hold nothing. */
  refused: boolean;
}

type Pool = Map<string, Map<string, number>>; // offer → location → available

function poolOf(stock: readonly StockAvailability[], locations: readonly string[] | null): Pool {
  const pool: Pool = new Map();
  for (const s of stock) {
    const byLocation = pool.get(s.offerId) ?? new Map<string, number>();
    if (!locations || locations.includes(s.locationId)) byLocation.set(s.locationId, Math.max(0, s.available));
    pool.set(s.offerId, byLocation);
  }
  return pool;
}

const untracked = (l: LineRequest): LineAllocation => ({ position: l.position, offerId: l.offerId, requested: l.quantity, reserved: l.quantity, tracked: false, allocations: [] });

/** Each line from the locations with the most left first, as much as there is. */
function greedy(lines: readonly LineRequest[], pool: Pool, only?: string): LineAllocation[] {
  return lines.map((l) => {
    const byLocation = l.offerId ? pool.get(l.offerId) : undefined;
    if (!byLocation) return untracked(l);
    const candidates = [...byLocation.entries()]
      .filter(([loc, n]) => n > 0 && (only === undefined || loc === only))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    let need = l.quantity;
    const allocations = [];
    for (const [loc, n] of candidates) {
      if (need === 0) break;
      const take = Math.min(n, need);
      byLocation.set(loc, n - take);
      allocations.push({ locationId: loc, quantity: take });
      need -= take;
    }
    return { position: l.position, offerId: l.offerId, requested: l.quantity, reserved: l.quantity - need, tracked: true, allocations };
  });
}

const copy = (pool: Pool): Pool => new Map([...pool].map(([k, v]) => [k, new Map(v)]));

/**
 * Allocates `lines` over `stock` by `strategy`; `locations` (null: all) narrows where stock may
 * come from (a pickup location chosen by the buyer). An offer with no stock level anywhere is not
 * tracked: its line is held in full without counting.
 */
export function allocate(lines: readonly LineRequest[], stock: readonly StockAvailability[], strategy: AllocationStrategy, locations: readonly string[] | null): AllocationResult {
  const pool = poolOf(stock, locations);
  const nothingHeld = (ls: LineAllocation[]) => ls.some((l) => l.tracked) && ls.filter((l) => l.tracked).every((l) => l.reserved === 0);
  if (strategy === 'single_location') {
    const places = [...new Set([...pool.values()].flatMap((m) => [...m.keys()]))].sort();
    const held = (ls: LineAllocation[]) => ls.reduce((n, l) => n + l.reserved, 0);
    let best = greedy(lines, copy(pool), places[0] ?? '');
    for (const place of places) {
      const attempt = greedy(lines, copy(pool), place);
      if (!attempt.some(isShort)) return { lines: attempt, refused: false };
      if (held(attempt) > held(best)) best = attempt;
    }
    // No one location has it all: refused, showing what the best one could have held.
    return { lines: best, refused: best.some(isShort) };
  }
  const result = greedy(lines, pool);
  if (strategy === 'all_or_nothing') return { lines: result, refused: result.some(isShort) };
  return { lines: result, refused: nothingHeld(result) };
}
