// The inventory provider: where stock is held, released and taken for good. One interface, two
// implementations chosen per merchant (as tax and shipping are): Handoff's built-in stock
// (checkout.stock_levels, this file), or the merchant's own endpoint (inventory.http-provider.ts).
// Each call runs in the caller's transaction, so a reservation and the stock it holds commit together.
import { ErrorCode, HandoffError } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { table } from '../events.js';
import { allocate, type StockAvailability } from './reservation.allocate.js';
import { isShort, stockDeltas, type AllocationStrategy, type InventoryProviderKind, type LineAllocation, type LineRequest } from './reservation.model.js';

export interface ReserveRequest {
  merchantId: string;
  reservationId: string;
  checkoutSessionId: string;
  strategy: AllocationStrategy;
  lines: LineRequest[];
  /** Where stock may come from (the buyer's pickup location); null: anywhere. */
  locations: string[] | null;
  expiresAt: Date;
}

export interface HeldStock {
  merchantId: string;
  reservationId: string;
  lines: LineAllocation[];
}

export interface InventoryProvider {
  readonly kind: InventoryProviderKind;
  /**
   * What each line holds now, and which provider holds it (an HTTP provider's fallback holds
   * Handoff's stock: released there); throws INVENTORY_SHORTFALL (holding nothing) when the strategy cannot be met.
   */
  reserve(manager: EntityManager, req: ReserveRequest): Promise<{ lines: LineAllocation[]; heldBy: InventoryProviderKind }>;
  /** Gives held stock back (a release, an expiry). */
  release(manager: EntityManager, held: HeldStock): Promise<void>;
  /** Takes held stock for good (an order was created). */
  commit(manager: EntityManager, held: HeldStock): Promise<void>;
}

export const inventoryShortfall = (lines: readonly LineAllocation[]) => {
  const short = lines.filter((l) => l.tracked && isShort(l)).map((l) => ({ offerId: l.offerId, requested: l.requested, available: l.reserved }));
  const what = short.map((s) => `${s.offerId}: ${s.available} of ${s.requested}`).join(', ');
  return new HandoffError(ErrorCode.INVENTORY_SHORTFALL, `Not enough stock to reserve (${what || 'nothing available'}); nothing is held.`, {
    reason: 'inventory_shortfall',
    shortfalls: short,
  });
};

/** [merchantId, offer ids, location ids, quantities] of `lines`' stock levels ($1-$4 of FROM_DELTAS); null: none tracked. */
export const deltaParams = (merchantId: string, lines: readonly LineAllocation[]) => {
  const d = stockDeltas(lines);
  return d.length === 0 ? null : [merchantId, d.map((x) => x.offerId), d.map((x) => x.locationId), d.map((x) => x.quantity)];
};

/** The stock levels (`s`) of deltaParams' lines, each with its quantity `x.q`; `alsoFrom`: another relation the UPDATE joins. */
export const fromDeltas = (alsoFrom = '') => `FROM unnest($2::text[], $3::text[], $4::int[]) AS x(offer_id, location_id, q)${alsoFrom ? `, ${alsoFrom}` : ''}
  WHERE s.merchant_id = $1 AND s.offer_id = x.offer_id AND s.location_id = x.location_id`;
const FROM_DELTAS = fromDeltas();

/** Held units taken for good (commit below; also the finalization's one conversion statement, reservation.store.ts convertHeld). */
export const COMMIT_SET = 'on_hand = GREATEST(s.on_hand - x.q, 0), reserved = GREATEST(s.reserved - x.q, 0), updated_at = now()';

/** Handoff's own stock: levels locked in a fixed order (no deadlocks), allocated, held in the same transaction. */
export const builtInInventoryProvider: InventoryProvider & { restock(manager: EntityManager, held: HeldStock): Promise<void> } = {
  kind: 'BUILT_IN',

  async reserve(manager, req) {
    const offers = [...new Set(req.lines.map((l) => l.offerId).filter((o): o is string => o !== null))];
    const rows: Array<{ offer_id: string; location_id: string; available: number }> = offers.length
      ? await manager.query(
          `SELECT offer_id, location_id, on_hand - reserved AS available FROM ${table('stock_levels')}
            WHERE merchant_id = $1 AND offer_id = ANY($2::text[]) ORDER BY offer_id, location_id FOR UPDATE`,
          [req.merchantId, offers],
        )
      : [];
    const stock: StockAvailability[] = rows.map((r) => ({ offerId: r.offer_id, locationId: r.location_id, available: Number(r.available) }));
    const result = allocate(req.lines, stock, req.strategy, req.locations);
    if (result.refused) throw inventoryShortfall(result.lines);
    const params = deltaParams(req.merchantId, result.lines);
    if (params) await manager.query(`UPDATE ${table('stock_levels')} s SET reserved = s.reserved + x.q, updated_at = now() ${FROM_DELTAS}`, params);
    return { lines: result.lines, heldBy: 'BUILT_IN' };
  },

  async release(manager, held) {
    const params = deltaParams(held.merchantId, held.lines);
    if (params) await manager.query(`UPDATE ${table('stock_levels')} s SET reserved = GREATEST(s.reserved - x.q, 0), updated_at = now() ${FROM_DELTAS}`, params);
  },

  /** Puts units taken for good back on hand (a finalization rolled back). Not part of the interface: an HTTP provider's stock is the merchant's. */
  async restock(manager: EntityManager, held: HeldStock): Promise<void> {
    const params = deltaParams(held.merchantId, held.lines);
    if (params) await manager.query(`UPDATE ${table('stock_levels')} s SET on_hand = s.on_hand + x.q, updated_at = now() ${FROM_DELTAS}`, params);
  },

  async commit(manager, held) {
    const params = deltaParams(held.merchantId, held.lines);
    if (params) {
      await manager.query(
        `UPDATE ${table('stock_levels')} s SET ${COMMIT_SET} ${FROM_DELTAS}`,
        params,
      );
    }
  },
};
