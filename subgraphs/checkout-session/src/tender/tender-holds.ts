// The tender a checkout session holds (gift cards, store credit; issue 20 item 3) and the two
// ends of a hold. A hold has already taken its amount off the card's (or the customer's) balance,
// so no one else can spend it; nothing is spent in the books yet:
//   capture (the checkout was paid): held → captured, and one `tender.<kind>.redeemed` outbox row
//     per hold in the same transaction (the ledger debits the liability);
//   release (the card payment declined or was canceled, the session expired or was canceled, the
//     finalization saga compensates): held → released, the amount back on the card or the credit;
//   restore (a finalization rolled back after the holds were captured): captured → restored, the
//     amount back on the card or the credit, and one `tender.<kind>.restored` outbox row per hold
//     (the ledger reverses the redemption).
// Each is idempotent: only rows in the state it moves from move (a conditional UPDATE … RETURNING,
// so of two concurrent calls one moves each row and the other nothing), so a second call (or a
// redelivered event) does nothing. The functions take the caller's transaction; TenderHoldsService runs them in their own.
import { addAllToOutbox, readMinorUnits, tenderTopic, type OutboxEvent, type TenderEventPayload, type TenderKind } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME, table, type OutboxNotifier } from '../events.js';

export interface TenderHold {
  id: string;
  checkoutSessionId: string;
  merchantId: string;
  kind: TenderKind;
  giftCardId: string | null;
  customerId: string | null;
  currency: string;
  amountMinor: number;
  status: 'held' | 'captured' | 'released' | 'restored';
}

interface HoldRow {
  id: string;
  checkout_session_id: string;
  merchant_id: string;
  kind: TenderKind;
  gift_card_id: string | null;
  customer_id: string | null;
  currency: string;
  amount_minor: string;
  status: TenderHold['status'];
}

export const HOLD_COLUMNS = 'id, checkout_session_id, merchant_id, kind, gift_card_id, customer_id, currency, amount_minor::text AS amount_minor, status';

export const holdOf = (r: HoldRow): TenderHold => ({
  id: r.id,
  checkoutSessionId: r.checkout_session_id,
  merchantId: r.merchant_id,
  kind: r.kind,
  giftCardId: r.gift_card_id,
  customerId: r.customer_id,
  currency: r.currency.trim(),
  amountMinor: readMinorUnits(r.amount_minor),
  status: r.status,
});

/** The session's holds still held, oldest first. */
export async function activeHolds(manager: EntityManager, checkoutSessionId: string): Promise<TenderHold[]> {
  const rows: HoldRow[] = await manager.query(`SELECT ${HOLD_COLUMNS} FROM ${table('tender_holds')} WHERE checkout_session_id = $1 AND status = 'held' ORDER BY id`, [
    checkoutSessionId,
  ]);
  return rows.map(holdOf);
}

/** Whether the session has a hold still held (as committed; finalization's hint, finalization.steps.ts). */
export async function anyHeld(manager: EntityManager, checkoutSessionId: string): Promise<boolean> {
  const [row] = await manager.query(`SELECT EXISTS (SELECT 1 FROM ${table('tender_holds')} WHERE checkout_session_id = $1 AND status = 'held') AS held`, [checkoutSessionId]);
  return row.held === true;
}

/** What the session's holds cover, in minor units of its currency. */
export async function heldTotal(manager: EntityManager, checkoutSessionId: string): Promise<number> {
  const [row] = await manager.query(`SELECT coalesce(sum(amount_minor), 0)::text AS total FROM ${table('tender_holds')} WHERE checkout_session_id = $1 AND status = 'held'`, [
    checkoutSessionId,
  ]);
  return readMinorUnits(row.total);
}

/** The session's holds captured (by this call or earlier), for the paid checkout's amount check. */
export async function capturedTotal(manager: EntityManager, checkoutSessionId: string): Promise<number> {
  const [row] = await manager.query(`SELECT coalesce(sum(amount_minor), 0)::text AS total FROM ${table('tender_holds')} WHERE checkout_session_id = $1 AND status = 'captured'`, [
    checkoutSessionId,
  ]);
  return readMinorUnits(row.total);
}

export const tenderEvent = (payload: TenderEventPayload): OutboxEvent => ({ topic: tenderTopic(payload.kind, payload.move), aggregateId: payload.instrumentId, payload: { ...payload } });

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, count]. */
const updatedHoldRows = (result: unknown): HoldRow[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as HoldRow[]) : (result as HoldRow[]));

/** Captures every hold of the session (in the caller's transaction); the holds it moved. */
export async function captureHolds(manager: EntityManager, checkoutSessionId: string): Promise<TenderHold[]> {
  const rows = updatedHoldRows(await manager.query(
    `UPDATE ${table('tender_holds')} SET status = 'captured', settled_at = now() WHERE checkout_session_id = $1 AND status = 'held' RETURNING ${HOLD_COLUMNS}`,
    [checkoutSessionId],
  ));
  const holds = rows.map(holdOf);
  if (holds.length === 0) return holds;
  const occurredAt = new Date().toISOString();
  await addAllToOutbox(
    manager,
    SCHEMA_NAME,
    holds.map((h) =>
      tenderEvent({
        kind: h.kind,
        move: 'redeemed',
        merchantId: h.merchantId,
        currency: h.currency,
        amountMinor: h.amountMinor,
        instrumentId: h.giftCardId ?? h.customerId!,
        checkoutSessionId,
        occurredAt,
      }),
    ),
  );
  return holds;
}

/** Puts one hold's amount back where it came from (the hold itself already moved to released). */
async function restore(manager: EntityManager, h: TenderHold): Promise<void> {
  if (h.kind === 'gift_card') {
    await manager.query(`UPDATE ${table('gift_cards')} SET balance_minor = balance_minor + $2, updated_at = now() WHERE id = $1`, [h.giftCardId, String(h.amountMinor)]);
  } else {
    await manager.query(
      `UPDATE ${table('store_credit_accounts')} SET balance_minor = balance_minor + $4, updated_at = now() WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3`,
      [h.merchantId, h.customerId, h.currency, String(h.amountMinor)],
    );
  }
}

/** Releases the session's holds (all, or those in `holdIds`) in the caller's transaction; the holds it moved. */
export async function releaseHolds(manager: EntityManager, checkoutSessionId: string, reason: string, holdIds?: readonly string[]): Promise<TenderHold[]> {
  const rows = updatedHoldRows(await manager.query(
    `UPDATE ${table('tender_holds')} SET status = 'released', settled_at = now(), release_reason = left($2, 200)
      WHERE checkout_session_id = $1 AND status = 'held' AND ($3::text[] IS NULL OR id = ANY($3::text[])) RETURNING ${HOLD_COLUMNS}`,
    [checkoutSessionId, reason, holdIds ? [...holdIds] : null],
  ));
  // In id order, as every balance update here: two releases never wait on each other in a cycle.
  const holds = rows.map(holdOf).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const h of holds) await restore(manager, h);
  return holds;
}

/**
 * Gives back what the session's captured holds spent (a finalization rolled back), in the caller's
 * transaction: captured → restored, the amounts back on their cards and credit, the ledger's
 * `tender.<kind>.restored` events written. The holds it moved (none on a second call).
 */
export async function restoreCapturedHolds(manager: EntityManager, checkoutSessionId: string, reason: string): Promise<TenderHold[]> {
  const rows = updatedHoldRows(await manager.query(
    `UPDATE ${table('tender_holds')} SET status = 'restored', settled_at = now(), release_reason = left($2, 200)
      WHERE checkout_session_id = $1 AND status = 'captured' RETURNING ${HOLD_COLUMNS}`,
    [checkoutSessionId, reason],
  ));
  const holds = rows.map(holdOf).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (holds.length === 0) return holds;
  for (const h of holds) await restore(manager, h);
  const occurredAt = new Date().toISOString();
  await addAllToOutbox(
    manager,
    SCHEMA_NAME,
    holds.map((h) =>
      tenderEvent({ kind: h.kind, move: 'restored', merchantId: h.merchantId, currency: h.currency, amountMinor: h.amountMinor, instrumentId: h.giftCardId ?? h.customerId!, checkoutSessionId, occurredAt }),
    ),
  );
  return holds;
}

/**
 * The service the rest of the package (and the finalization saga) calls: capture on a paid
 * checkout, release on a failed one. Idempotent; each runs in a transaction of its own.
 */
export class TenderHoldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** Spends the session's held tender: held → captured, the ledger's `tender.*.redeemed` events written. A second call does nothing. */
  async captureHoldsForSession(sessionId: string, manager?: EntityManager): Promise<TenderHold[]> {
    const holds = manager ? await captureHolds(manager, sessionId) : await this.dataSource.transaction((m) => captureHolds(m, sessionId));
    if (holds.length > 0 && !manager) this.outbox.notify();
    return holds;
  }

  /** Gives the session's held tender back to its cards and store credit; `reason` is kept on each hold. A second call does nothing. */
  releaseHoldsForSession(sessionId: string, reason: string, manager?: EntityManager): Promise<TenderHold[]> {
    return manager ? releaseHolds(manager, sessionId, reason) : this.dataSource.transaction((m) => releaseHolds(m, sessionId, reason));
  }
}
