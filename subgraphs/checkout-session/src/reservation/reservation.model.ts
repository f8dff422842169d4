// What an inventory reservation is (issue 20 item 1, seed 003 §5 and §14): per session line, what
// was asked and what is held, from which fulfilment locations; its state; how seed 003 names its
// status. Pure: no I/O.

/**
 * best_fit: hold what is available, line by line, from as many locations as it takes; a short
 * line is held in part (status `partial`). all_or_nothing: every line in full (any locations) or
 * nothing (INVENTORY_SHORTFALL). single_location: every line in full from one location, or nothing.
 */
export const ALLOCATION_STRATEGIES = ['best_fit', 'all_or_nothing', 'single_location'] as const;
export type AllocationStrategy = (typeof ALLOCATION_STRATEGIES)[number];
export const DEFAULT_ALLOCATION_STRATEGY: AllocationStrategy = 'best_fit';

/** Stock kept without a location (the merchant's one warehouse): the calculation's default fulfilment location. */
export const DEFAULT_STOCK_LOCATION = 'default';

export type ReservationState = 'active' | 'released' | 'expired' | 'converted';
/** Seed 003's status: reserved (every line in full) or partial while held, then how it ended. */
export type ReservationStatus = 'reserved' | 'partial' | 'released' | 'expired' | 'converted';

export type InventoryProviderKind = 'BUILT_IN' | 'HTTP';

/** One session line to reserve: its position in the session, its offer (null: not stocked) and quantity. */
export interface LineRequest {
  position: number;
  offerId: string | null;
  quantity: number;
}

export interface LocationQuantity {
  locationId: string;
  quantity: number;
}

/** What one line holds. `tracked` false: no stock is kept for its offer (held in full, nothing counted). */
export interface LineAllocation {
  position: number;
  offerId: string | null;
  requested: number;
  reserved: number;
  tracked: boolean;
  allocations: LocationQuantity[];
}

export interface ReservationRecord {
  id: string;
  checkoutSessionId: string;
  merchantId: string;
  state: ReservationState;
  partial: boolean;
  allocationStrategy: AllocationStrategy;
  provider: InventoryProviderKind;
  lines: LineAllocation[];
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
}

export function reservationStatus(r: Pick<ReservationRecord, 'state' | 'partial'>): ReservationStatus {
  if (r.state === 'active') return r.partial ? 'partial' : 'reserved';
  return r.state;
}

/** A line that did not get all it asked for (a tracked one). */
export const isShort = (l: LineAllocation) => l.reserved < l.requested;

/** Quantities per (offer, location), summed: one row per stock level a change touches. */
export function stockDeltas(lines: readonly LineAllocation[]): Array<{ offerId: string; locationId: string; quantity: number }> {
  const sums = new Map<string, { offerId: string; locationId: string; quantity: number }>();
  for (const l of lines) {
    if (!l.tracked || !l.offerId) continue;
    for (const a of l.allocations) {
      const key = JSON.stringify([l.offerId, a.locationId]);
      const row = sums.get(key) ?? { offerId: l.offerId, locationId: a.locationId, quantity: 0 };
      row.quantity += a.quantity;
      sums.set(key, row);
    }
  }
  return [...sums.values()].filter((r) => r.quantity > 0);
}
