// Inventory reservations of checkout sessions (issue 20 item 1, seed 003 §5 and §14):
//
//   reserve(principal, sessionId, input)   holds the session's lines (or some of them) for a TTL
//       (the merchant's default, at most its longest) by an allocation strategy; partial holds are
//       status `partial`, never hidden; a strategy that cannot be met is INVENTORY_SHORTFALL with
//       nothing written. A session holds one reservation: reserving again replaces it.
//   extend / release / get / holdsOf / extendHolds   by the session's principal.
//   convertForSession(manager, sessionId)  for finalization: the held stock is taken for good, in
//       the caller's transaction; no active reservation: a no-op (null). Idempotent.
//   releaseForSession(manager | undefined, sessionId, reason)  cancel, payment canceled: the
//       held stock goes back; no active reservation: a no-op (null). Idempotent.
//   restockForSession(manager, sessionId, reason)  a finalization rolled back: converted units
//       back on the built-in stock, once.
//   releaseDue(now)                         the expiry worker: each due hold released, once.
//
// Each step writes the reservation, the stock, the session's reservation_id / held-until and a
// timeline entry (inventory.*) in one transaction; locks go session → reservation → stock.
import { DEFAULT_CHECKOUT_RULES, ErrorCode, HandoffError, invalidStateTransition, type IdempotencyStore, type Logger, type PaymentIntentEventPayload, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { table, type OutboxNotifier } from '../events.js';
import { newId } from '../ids.js';
import { requiredId } from '../input.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import { assertBuyerCanChange, type SessionChanger } from '../session-change/session-change.js';
import { builtInInventoryProvider } from './inventory.provider.js';
import type { InventoryProviderFactory } from './inventory.providers.js';
import { holdSeconds, linesToReserve, allocationStrategy, type ReserveLineInput } from './reservation.input.js';
import { isShort, type LineRequest, type ReservationRecord } from './reservation.model.js';
import {
  activeReservationOf,
  activeReservationSeen,
  convertHeld,
  endReservation,
  findReservation,
  insertReservation,
  lockSession,
  markRestocked,
  pointSessionAt,
  recordReservationStep,
  reservationStepEntry,
  setExpiry,
} from './reservation.store.js';

export interface ConvertOptions {
  /** The caller's transaction holds the session's row lock (finalization). */
  sessionLocked?: boolean;
  /** The step's timeline entry is pushed here, for the caller to write with its own (finalization), not written apart. */
  timeline?: TimelineEntryDraft[];
  /**
   * The active reservation read before the lock (heldBeforeLock; sessionLocked only): one of the
   * built-in stock is converted in one statement if it is still active (reservation.store.ts convertHeld).
   */
  held?: ReservationRecord | null;
}

export interface ReserveInput {
  expiresInSeconds?: number | null;
  allocationStrategy?: string | null;
  lines?: ReserveLineInput[] | null;
}

export const reservationNotFound = (id: string) => new HandoffError(ErrorCode.RESERVATION_NOT_FOUND, `Inventory reservation not found: ${id}.`);
const notHeld = (r: ReservationRecord) =>
  invalidStateTransition(`Inventory reservation ${r.id} is ${r.state}: it no longer holds stock.`, `reservation:${r.state}`);

const codec = {
  toStored: (r: ReservationRecord) => ({ id: r.id }),
  fromStored: async (stored: { id: string }, manager: EntityManager) => (await findReservation(manager, stored.id))!,
};

export class ReservationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly changer: SessionChanger,
    private readonly pricing: MerchantPricingPort,
    private readonly providers: InventoryProviderFactory,
    private readonly outbox: OutboxNotifier,
    private readonly logger?: Logger,
  ) {}

  private async settings(merchantId: string) {
    const config = await this.pricing.pricingConfig(merchantId);
    return { config, settings: (config.checkout ?? DEFAULT_CHECKOUT_RULES).settings };
  }

  async reserve(principal: Principal, sessionId: string, input: ReserveInput, key?: string): Promise<ReservationRecord> {
    const id = requiredId(sessionId, 'checkoutSessionId');
    const strategy = allocationStrategy(input.allocationStrategy);
    const cs = await this.changer.load(principal, id);
    assertBuyerCanChange(cs);
    const { config, settings } = await this.settings(cs.merchantId);
    const ttl = holdSeconds(input.expiresInSeconds, settings);
    const sessionLines: LineRequest[] = (
      await this.dataSource.query(`SELECT position, offer_id, quantity FROM ${table('checkout_line_items')} WHERE checkout_session_id = $1 ORDER BY position`, [id])
    ).map((l: { position: number; offer_id: string | null; quantity: number }) => ({ position: l.position, offerId: l.offer_id, quantity: l.quantity }));
    const lines = linesToReserve(sessionLines, input.lines);
    const provider = this.providers(config);
    const operation = { principal, key, operation: 'reserveCheckoutInventory', input: { id, strategy, ttl: input.expiresInSeconds ?? null, lines: input.lines ?? null } };
    const reservation = await this.idempotency.prepared(operation, codec, (record) =>
      this.dataSource.transaction((manager) =>
        record(manager, async () => {
          await lockSession(manager, id);
          const fresh = await manager.findOneByOrFail(CheckoutSessionEntity, { id });
          assertBuyerCanChange(fresh);
          await this.endActive(manager, id, 'released', 'replaced by a new reservation', false);
          const expiresAt = new Date(Date.now() + ttl * 1000);
          const reservationId = newId('rsv');
          const locations = fresh.selectedShipping?.kind === 'PICKUP' ? [fresh.selectedShipping.id] : null;
          const { lines: held, heldBy } = await provider.reserve(manager, { merchantId: fresh.merchantId, reservationId, checkoutSessionId: id, strategy, lines, locations, expiresAt });
          const r = await insertReservation(manager, {
            id: reservationId, checkoutSessionId: id, merchantId: fresh.merchantId, state: 'active', partial: held.some(isShort), allocationStrategy: strategy,
            provider: heldBy, lines: held, expiresAt, createdAt: new Date(), updatedAt: new Date(), endedAt: null, endReason: null,
          });
          await pointSessionAt(manager, id, r.id, r.expiresAt, true);
          await recordReservationStep(manager, 'reserved', r);
          return r;
        }),
      ),
    );
    this.outbox.notify();
    return reservation;
  }

  /** The reservation if `principal` may see its session; else RESERVATION_NOT_FOUND. */
  async get(principal: Principal, reservationId: string): Promise<ReservationRecord> {
    const id = requiredId(reservationId, 'id');
    const r = await findReservation(this.dataSource.manager, id);
    if (!r) throw reservationNotFound(id);
    try {
      await this.changer.load(principal, r.checkoutSessionId);
    } catch (err) {
      if (err instanceof HandoffError && err.code === ErrorCode.CHECKOUT_SESSION_NOT_FOUND) throw reservationNotFound(id);
      throw err;
    }
    return r;
  }

  /** Holds until now + the hold asked (the merchant's default when not given), never shorter than it was. */
  async extend(principal: Principal, reservationId: string, expiresInSeconds: number | null | undefined, key?: string): Promise<ReservationRecord> {
    const seen = await this.get(principal, reservationId);
    const { settings } = await this.settings(seen.merchantId);
    const ttl = holdSeconds(expiresInSeconds, settings);
    const operation = { principal, key, operation: 'extendInventoryReservation', input: { id: seen.id, ttl: expiresInSeconds ?? null } };
    const r = await this.idempotency.prepared(operation, codec, (record) =>
      this.dataSource.transaction((manager) =>
        record(manager, async () => {
          await lockSession(manager, seen.checkoutSessionId);
          const current = (await findReservation(manager, seen.id, true))!;
          if (current.state !== 'active' || current.expiresAt.getTime() <= Date.now()) throw notHeld({ ...current, state: current.state === 'active' ? 'expired' : current.state });
          const until = new Date(Math.max(current.expiresAt.getTime(), Date.now() + ttl * 1000));
          const extended = await setExpiry(manager, current.id, until);
          await pointSessionAt(manager, current.checkoutSessionId, current.id, until, true);
          await recordReservationStep(manager, 'extended', extended);
          return extended;
        }),
      ),
    );
    this.outbox.notify();
    return r;
  }

  /** Gives the held stock back; releasing one already ended answers it as it is. */
  async release(principal: Principal, reservationId: string, key?: string): Promise<ReservationRecord> {
    const seen = await this.get(principal, reservationId);
    const operation = { principal, key, operation: 'releaseInventoryReservation', input: { id: seen.id } };
    const r = await this.idempotency.prepared(operation, codec, (record) =>
      this.dataSource.transaction((manager) =>
        record(manager, async () => {
          await lockSession(manager, seen.checkoutSessionId);
          const current = (await findReservation(manager, seen.id, true))!;
          if (current.state !== 'active') return current;
          return (await this.end(manager, current, 'released', 'released on request', true)) ?? current;
        }),
      ),
    );
    this.outbox.notify();
    return r;
  }

  /** The session's active holds (its reservation's, when one is held). */
  async holdsOf(principal: Principal, sessionId: string): Promise<ReservationRecord[]> {
    const cs = await this.changer.load(principal, requiredId(sessionId, 'checkoutSessionId'));
    if (!cs.reservationId) return [];
    const r = await findReservation(this.dataSource.manager, cs.reservationId);
    return r && r.state === 'active' && r.expiresAt.getTime() > Date.now() ? [r] : [];
  }

  /** Extends every active hold of the session (seed 003 §14). */
  async extendHolds(principal: Principal, sessionId: string, expiresInSeconds: number | null | undefined, key?: string): Promise<ReservationRecord[]> {
    const holds = await this.holdsOf(principal, sessionId);
    return Promise.all(holds.map((h) => this.extend(principal, h.id, expiresInSeconds, key)));
  }

  /**
   * Finalization: the session's active reservation becomes a permanent stock decrement, in the
   * caller's transaction. No active reservation (none made, released, expired, already converted): null.
   */
  async convertForSession(manager: EntityManager, sessionId: string, opts: ConvertOptions = {}): Promise<ReservationRecord | null> {
    // The finalization holds the session's row lock already (its transaction's first read): not taken twice.
    if (!opts.sessionLocked && !(await lockSession(manager, sessionId))) return null;
    if (opts.sessionLocked && opts.held?.provider === 'BUILT_IN' && opts.held.checkoutSessionId === sessionId) {
      const ended = await convertHeld(manager, opts.held, 'order created');
      if (ended) {
        if (opts.timeline) opts.timeline.push(reservationStepEntry('converted', ended));
        else await recordReservationStep(manager, 'converted', ended);
        this.logger?.debug?.({ reservationId: ended.id, state: 'converted' }, 'inventory reservation ended');
        return ended;
      }
      // Ended or replaced since it was read: whatever is active now, under the lock, as below.
    }
    return this.endActive(manager, sessionId, 'converted', 'order created', false, opts.timeline);
  }

  /** The session's active reservation as committed, without a lock (for convertForSession's `held`). */
  heldBeforeLock(manager: EntityManager, sessionId: string): Promise<ReservationRecord | null> {
    return activeReservationSeen(manager, sessionId);
  }

  /** Releases the session's active reservation (in `manager`'s transaction, or its own); none: null. Idempotent. */
  async releaseForSession(manager: EntityManager | undefined, sessionId: string, reason: string): Promise<ReservationRecord | null> {
    if (!manager) {
      const r = await this.dataSource.transaction((m) => this.releaseForSession(m, sessionId, reason));
      if (r) this.outbox.notify();
      return r;
    }
    if (!(await lockSession(manager, sessionId))) return null;
    return this.endActive(manager, sessionId, 'released', reason, false);
  }

  /**
   * A finalization rolled back: the units the session's reservation converted (sold) go back on
   * Handoff's built-in stock, in the caller's transaction, once (markRestocked's guard: a retried
   * or concurrent rollback restocks nothing more). A reservation the merchant's HTTP inventory
   * held is not restocked here: that stock is the merchant's. The reservations restocked.
   */
  async restockForSession(manager: EntityManager, sessionId: string, reason: string): Promise<ReservationRecord[]> {
    if (!(await lockSession(manager, sessionId))) return [];
    const restocked = await markRestocked(manager, sessionId);
    for (const r of restocked) {
      await builtInInventoryProvider.restock(manager, { merchantId: r.merchantId, reservationId: r.id, lines: r.lines });
      await recordReservationStep(manager, 'restocked', { ...r, endReason: reason });
    }
    return restocked;
  }

  /**
   * A `payment_intent.canceled` event (payment-events.job.ts): the session's reservation is
   * released, unless the session has since moved to another payment intent. Idempotent.
   */
  async paymentCanceled(event: PaymentIntentEventPayload, sourceEvent: string): Promise<'released' | 'unchanged'> {
    const { id: paymentIntentId, checkoutSessionId } = event.paymentIntent;
    if (!checkoutSessionId) return 'unchanged';
    const released = await this.dataSource.transaction(async (manager) => {
      const cs = await lockSession(manager, checkoutSessionId);
      if (!cs || (cs.paymentIntentId !== null && cs.paymentIntentId !== paymentIntentId)) return null;
      return this.endActive(manager, checkoutSessionId, 'released', `payment intent ${paymentIntentId} canceled (${sourceEvent})`, true);
    });
    if (!released) return 'unchanged';
    this.outbox.notify();
    return 'released';
  }

  /** The expiry worker: releases holds past their expiry, each in its own transaction; how many. */
  async releaseDue(now: Date = new Date(), limit = 200): Promise<number> {
    const due: Array<{ id: string; checkout_session_id: string }> = await this.dataSource.query(
      `SELECT id, checkout_session_id FROM ${table('inventory_reservations')} WHERE state = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    let released = 0;
    for (const d of due) {
      const ended = await this.dataSource.transaction(async (manager) => {
        await lockSession(manager, d.checkout_session_id);
        const current = await findReservation(manager, d.id, true);
        if (!current || current.state !== 'active' || current.expiresAt.getTime() > now.getTime()) return null; // extended or ended meanwhile
        return this.end(manager, current, 'expired', 'hold expired', true);
      });
      if (ended) released++;
    }
    if (released > 0) this.outbox.notify();
    return released;
  }

  private async endActive(manager: EntityManager, sessionId: string, state: 'released' | 'converted', reason: string, bumpVersion: boolean, timeline?: TimelineEntryDraft[]) {
    const active = await activeReservationOf(manager, sessionId);
    return active ? this.end(manager, active, state, reason, bumpVersion, timeline) : null;
  }

  /** Ends a locked active reservation: its stock back (or taken), the session no longer holding, the timeline entry. */
  private async end(manager: EntityManager, r: ReservationRecord, state: 'released' | 'expired' | 'converted', reason: string, bumpVersion: boolean, timeline?: TimelineEntryDraft[]) {
    // Stock goes back to the provider that held it; only an HTTP one needs the merchant's configuration.
    const provider = r.provider === 'BUILT_IN' ? builtInInventoryProvider : this.providers(await this.pricing.pricingConfig(r.merchantId), 'HTTP');
    const held = { merchantId: r.merchantId, reservationId: r.id, lines: r.lines };
    if (state === 'converted') await provider.commit(manager, held);
    else await provider.release(manager, held);
    const ended = await endReservation(manager, r.id, state, reason);
    if (!ended) return null;
    await pointSessionAt(manager, r.checkoutSessionId, r.id, null, bumpVersion);
    if (timeline) timeline.push(reservationStepEntry(state, ended));
    else await recordReservationStep(manager, state, ended);
    this.logger?.debug?.({ reservationId: r.id, state, reason }, 'inventory reservation ended');
    return ended;
  }
}
