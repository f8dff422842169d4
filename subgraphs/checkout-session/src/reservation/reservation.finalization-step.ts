// The inventory reservation as a step of the finalization saga (order/finalization.steps.ts):
// finalizing converts the session's active reservation (its held units leave the stock for good,
// in the order's transaction, once); a rollback releases a reservation still active. Units already
// converted are not put back on the shelf by a rollback: whether returned goods are restocked is
// the merchant's call (setStock), as in Shopify's and Saleor's refunds.
import type { FinalizationStep } from '../order/finalization.steps.js';
import type { ReservationService } from './reservation.service.js';

const units = (r: { lines: Array<{ reserved: number }> }) => r.lines.reduce((n, l) => n + l.reserved, 0);

export function reservationFinalizationStep(reservations: ReservationService): FinalizationStep {
  return {
    name: 'inventory_reservation',
    async finalize(manager, session) {
      const r = await reservations.convertForSession(manager, session.id);
      if (!r) return null;
      return { summary: `Inventory reservation ${r.id} converted: ${units(r)} units`, detail: { reservation_id: r.id, units: units(r) } };
    },
    async compensate(manager, session, orderId) {
      const r = await reservations.releaseForSession(manager, session.id, `rollback of order ${orderId}`);
      if (!r) return null;
      return { summary: `Inventory reservation ${r.id} released`, detail: { reservation_id: r.id, units: units(r) } };
    },
  };
}
