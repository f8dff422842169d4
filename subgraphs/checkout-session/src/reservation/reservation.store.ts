// The SQL of reservations: rows in and out, the session's pointer to its reservation, and the
// timeline entries each step writes (in the step's transaction). Locks are always taken in the
// order session → reservation → stock levels, so no two steps wait on each other in a circle.
import { actingNow, type TimelineEntryDraft } from '../timeline/timeline.entries.js';
import type { EntityManager } from 'typeorm';
import { table } from '../events.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { reservationStatus, type ReservationRecord, type ReservationState } from './reservation.model.js';
import { COMMIT_SET, deltaParams, fromDeltas } from './inventory.provider.js';

interface Row {
  id: string;
  checkout_session_id: string;
  merchant_id: string;
  state: ReservationState;
  partial: boolean;
  allocation_strategy: ReservationRecord['allocationStrategy'];
  provider: ReservationRecord['provider'];
  lines: ReservationRecord['lines'];
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

const fromRow = (r: Row): ReservationRecord => ({
  id: r.id,
  checkoutSessionId: r.checkout_session_id,
  merchantId: r.merchant_id,
  state: r.state,
  partial: r.partial,
  allocationStrategy: r.allocation_strategy,
  provider: r.provider,
  lines: r.lines,
  expiresAt: new Date(r.expires_at),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  endedAt: r.ended_at ? new Date(r.ended_at) : null,
  endReason: r.end_reason,
});

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, count]. */
const updatedRows = (result: unknown): Row[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as Row[]) : (result as Row[]));

const COLUMNS = 'id, checkout_session_id, merchant_id, state, partial, allocation_strategy, provider, lines, expires_at, created_at, updated_at, ended_at, end_reason';

export async function findReservation(manager: EntityManager, id: string, lock = false): Promise<ReservationRecord | null> {
  const rows: Row[] = await manager.query(`SELECT ${COLUMNS} FROM ${table('inventory_reservations')} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The session's active reservation (locked), if any. */
export async function activeReservationOf(manager: EntityManager, sessionId: string): Promise<ReservationRecord | null> {
  const rows: Row[] = await manager.query(
    `SELECT ${COLUMNS} FROM ${table('inventory_reservations')} WHERE checkout_session_id = $1 AND state = 'active' FOR UPDATE`,
    [sessionId],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function insertReservation(manager: EntityManager, r: ReservationRecord): Promise<ReservationRecord> {
  const rows: Row[] = await manager.query(
    `INSERT INTO ${table('inventory_reservations')} (id, checkout_session_id, merchant_id, state, partial, allocation_strategy, provider, lines, expires_at)
     VALUES ($1, $2, $3, 'active', $4, $5, $6, $7::jsonb, $8) RETURNING ${COLUMNS}`,
    [r.id, r.checkoutSessionId, r.merchantId, r.partial, r.allocationStrategy, r.provider, JSON.stringify(r.lines), r.expiresAt],
  );
  return fromRow(rows[0]!);
}

export async function setExpiry(manager: EntityManager, id: string, expiresAt: Date): Promise<ReservationRecord> {
  const rows = updatedRows(await manager.query(
    `UPDATE ${table('inventory_reservations')} SET expires_at = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, expiresAt],
  ));
  return fromRow(rows[0]!);
}

/** The session's active reservation as last committed, without a lock: a hint read before a transaction (finalization's prepare). */
export async function activeReservationSeen(manager: EntityManager, sessionId: string): Promise<ReservationRecord | null> {
  const rows: Row[] = await manager.query(`SELECT ${COLUMNS} FROM ${table('inventory_reservations')} WHERE checkout_session_id = $1 AND state = 'active'`, [sessionId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * Converts `held`, a reservation of Handoff's built-in stock read before the caller took the
 * session's row lock, in ONE statement under that lock: the reservation ends (converted) only if it
 * is still active, and only then do its units leave the stock levels (its lines never change once
 * written) and the session stop showing it held. Locks: reservation, then its stock levels (the
 * order every step keeps). Null when it is no longer active: the caller reads what is, under the lock.
 */
export async function convertHeld(manager: EntityManager, held: ReservationRecord, reason: string): Promise<ReservationRecord | null> {
  const stock = deltaParams(held.merchantId, held.lines) ?? [held.merchantId, [], [], []];
  const rows = updatedRows(await manager.query(
    `WITH r AS (UPDATE ${table('inventory_reservations')} SET state = 'converted', end_reason = $6, ended_at = now(), updated_at = now()
                 WHERE id = $5 AND state = 'active' AND provider = 'BUILT_IN' RETURNING ${COLUMNS}),
          st AS (UPDATE ${table('stock_levels')} s SET ${COMMIT_SET} ${fromDeltas('r')}),
          c AS (UPDATE ${table('checkout_sessions')} cs SET reservation_id = r.id, reservation_held_until = NULL FROM r WHERE cs.id = r.checkout_session_id)
     SELECT ${COLUMNS} FROM r`,
    [...stock, held.id, reason.slice(0, 200)],
  ));
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Ends an active reservation (released, expired, converted); null when it had already ended. */
export async function endReservation(manager: EntityManager, id: string, state: Exclude<ReservationState, 'active'>, reason: string): Promise<ReservationRecord | null> {
  const rows = updatedRows(await manager.query(
    `UPDATE ${table('inventory_reservations')} SET state = $2, end_reason = $3, ended_at = now(), updated_at = now()
      WHERE id = $1 AND state = 'active' RETURNING ${COLUMNS}`,
    [id, state, reason.slice(0, 200)],
  ));
  return rows[0] ? fromRow(rows[0]) : null;
}

/**
 * Marks the session's converted reservations held by Handoff's built-in stock as restocked (a
 * finalization rolled back); those it marked. Once: a reservation already restocked is not
 * returned again, so of two concurrent calls one gets it and the other nothing.
 */
export async function markRestocked(manager: EntityManager, sessionId: string): Promise<ReservationRecord[]> {
  const rows = updatedRows(await manager.query(
    `UPDATE ${table('inventory_reservations')} SET restocked_at = now(), updated_at = now()
      WHERE checkout_session_id = $1 AND state = 'converted' AND provider = 'BUILT_IN' AND restocked_at IS NULL RETURNING ${COLUMNS}`,
    [sessionId],
  ));
  return rows.map(fromRow).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Locks the session row; what a reservation step reads of it, or null when it does not exist. */
export async function lockSession(manager: EntityManager, sessionId: string): Promise<{ merchantId: string; reservationId: string | null; paymentIntentId: string | null } | null> {
  const rows: Array<{ merchant_id: string; reservation_id: string | null; payment_intent_id: string | null }> = await manager.query(
    `SELECT merchant_id, reservation_id, payment_intent_id FROM ${table('checkout_sessions')} WHERE id = $1 FOR UPDATE`,
    [sessionId],
  );
  return rows[0] ? { merchantId: rows[0].merchant_id, reservationId: rows[0].reservation_id, paymentIntentId: rows[0].payment_intent_id } : null;
}

/**
 * The session points at its reservation and shows it held until `heldUntil` (null: no longer
 * held); a new version unless the caller's own change of the session makes one (cancel, finalization).
 */
export async function pointSessionAt(manager: EntityManager, sessionId: string, reservationId: string, heldUntil: Date | null, bumpVersion: boolean): Promise<void> {
  const bump = bumpVersion ? ', version = version + 1, updated_at = now()' : '';
  await manager.query(
    `UPDATE ${table('checkout_sessions')} SET reservation_id = $2, reservation_held_until = $3${bump} WHERE id = $1`,
    [sessionId, reservationId, heldUntil],
  );
}

export type ReservationEvent = 'reserved' | 'extended' | 'released' | 'expired' | 'converted' | 'restocked';

const SUMMARY: Record<ReservationEvent, (r: ReservationRecord) => string> = {
  reserved: (r) => {
    const held = r.lines.reduce((n, l) => n + l.reserved, 0);
    const asked = r.lines.reduce((n, l) => n + l.requested, 0);
    return `Inventory ${r.partial ? 'partially ' : ''}reserved (${r.id}): ${held} of ${asked} units until ${r.expiresAt.toISOString()}`;
  },
  extended: (r) => `Inventory reservation ${r.id} extended until ${r.expiresAt.toISOString()}`,
  released: (r) => `Inventory reservation ${r.id} released${r.endReason ? ` (${r.endReason})` : ''}`,
  expired: (r) => `Inventory reservation ${r.id} expired: its stock is released`,
  converted: (r) => `Inventory reservation ${r.id} converted: its stock is taken for the order`,
  restocked: (r) => `Inventory reservation ${r.id} restocked: its ${r.lines.reduce((n, l) => n + l.reserved, 0)} sold units are back on hand${r.endReason ? ` (${r.endReason})` : ''}`,
};

/** The timeline entry of a reservation step, written in the step's transaction. */
export async function recordReservationStep(manager: EntityManager, event: ReservationEvent, r: ReservationRecord): Promise<void> {
  await recordCheckoutChange(manager, [], [reservationStepEntry(event, r)]);
}

/** The timeline entry of a reservation step (a caller writing its own entries in the same statement takes it). */
export function reservationStepEntry(event: ReservationEvent, r: ReservationRecord): TimelineEntryDraft {
  return {
    checkoutId: r.checkoutSessionId,
    merchantId: r.merchantId,
    kind: `inventory.${event}`,
    at: new Date(),
    summary: SUMMARY[event](r).slice(0, 500),
    actor: actingNow(),
    data: {
      reservation_id: r.id,
      status: reservationStatus(r),
      expires_at: r.expiresAt.toISOString(),
      allocation_strategy: r.allocationStrategy,
      reason: r.endReason,
      lines: r.lines.map((l) => ({ offer_id: l.offerId, requested: l.requested, reserved: l.reserved })),
    },
  };
}
