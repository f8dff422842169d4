// The inventory reservation as a step of the finalization saga (order/finalization.steps.ts):
// finalizing converts the session's active reservation (its held units leave the stock for good,
// in the order's transaction, once); a rollback releases a reservation still active and puts the
// units a conversion took (sold) back on Handoff's built-in stock, once (reservation.service.ts
// restockForSession). Stock held by the merchant's own HTTP inventory is the merchant's to restock.
import type { FinalizationStep } from '../order/finalization.steps.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import type { ReservationService } from './reservation.service.js';
import { stockDeltas, type ReservationRecord } from './reservation.model.js';

const units = (r: { lines: Array<{ reserved: number }> }) => r.lines.reduce((n, l) => n + l.reserved, 0);

export function reservationFinalizationStep(reservations: ReservationService): FinalizationStep {
  return {
    name: 'inventory_reservation',
    // Before the transaction: the active reservation (when the session shows one held), so that
    // under the lock a built-in one is converted in one statement (convertForSession's `held`).
    prepare: (manager, session) => (session.reservationHeldUntil ? reservations.heldBeforeLock(manager, session.id) : Promise.resolve(null)),
    async finalize(manager, session, _orderId, prepared) {
      // Steps run under the finalization's session row lock (finalization.steps.ts).
      // Its inventory.converted entry goes in the order's timeline statement (StepOutcome.timeline).
      const timeline: TimelineEntryDraft[] = [];
      const held = (prepared as ReservationRecord | null | undefined) ?? null;
      const r = await reservations.convertForSession(manager, session.id, { sessionLocked: true, timeline, held });
      if (!r) return null;
      return { summary: `Inventory reservation ${r.id} converted: ${units(r)} units`, detail: { reservation_id: r.id, units: units(r) }, timeline };
    },
    async compensate(manager, session, orderId) {
      const reason = `rollback of order ${orderId}`;
      const released = await reservations.releaseForSession(manager, session.id, reason);
      const restocked = await reservations.restockForSession(manager, session.id, reason);
      if (!released && restocked.length === 0) return null;
      const restockedUnits = restocked.reduce((n, r) => n + units(r), 0);
      const parts = [...(released ? [`reservation ${released.id} released (${units(released)} units)`] : []), ...restocked.map((r) => `reservation ${r.id} restocked (${units(r)} units)`)];
      return {
        summary: `Inventory: ${parts.join(', ')}`,
        detail: {
          reservation_id: released?.id ?? restocked[0]?.id ?? null,
          units: (released ? units(released) : 0) + restockedUnits,
          released_reservation_id: released?.id ?? null,
          restocked_reservation_ids: restocked.map((r) => r.id),
          restocked_units: restockedUnits,
          restocked_lines: restocked.flatMap((r) => stockDeltas(r.lines).map((d) => ({ offer_id: d.offerId, location_id: d.locationId, quantity: d.quantity }))),
        },
      };
    },
  };
}
