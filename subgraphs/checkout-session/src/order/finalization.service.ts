// Finalization (seed 003 §8): a paid checkout becomes an order with a receipt, handed to the
// merchant. Exactly once: every finalization of a session (sync, or the async job) runs under the
// session's row lock and answers the order the first one created (orders are unique per session),
// so 20 concurrent calls make one order. What it checks before it writes anything: the session is
// neither canceled nor expired, its payment is captured (or authorised, for a manual capture:
// payment-intent is asked), its calculation is current. Then, in ONE transaction: each pluggable
// step (finalization.steps.ts), the order (lines and totals from the calculation snapshot), its
// timeline entries and the merchant's `order.created` webhook event (the handoff: signed, retried
// by the outbound webhooks). A refusal writes nothing.
import type { AcpOrderEvents } from '../acp-order/acp-order.events.js';
import { HandoffError, requireKind, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { calculationById, type StoredCalculation } from '../calculation/calculation.store.js';
import { scopeCheckoutSessions } from '../checkout-session/checkout-session.access.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { LineItemEntity } from '../checkout-session/line-item.entity.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { calculationStale } from '../checkout-lifecycle/payment-commitment.js';
import { table, type OutboxNotifier } from '../events.js';
import type { PaymentCompensations } from '../ports/payment-intent.port.js';
import { recordCheckoutChangeIfInserted } from '../timeline/timeline.record.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { checkoutNotPaid, orderRolledBack, sessionNotFinalizable } from './order.errors.js';
import { OrderEntity, type OrderLine, type OrderPaymentStatus, type OrderStepRecord } from './order.entity.js';
import { orderEntry, orderWebhookEvent } from './order.events.js';
import type { FinalizationStep } from './finalization.steps.js';
import { OrderReads } from './order.reads.js';

export interface FinalizeOptions {
  /** False: the order and receipt are recorded but not handed to the merchant (no order.created). Default true. */
  createOrder?: boolean;
}

/** The sessions a principal may finalize: its merchant's key, an admin, Handoff itself (the async job). */
export const FINALIZERS = ['MERCHANT', 'ADMIN', 'SERVICE'] as const;

const PAID_STATUSES: Record<string, OrderPaymentStatus | undefined> = { SUCCEEDED: 'captured', REQUIRES_CAPTURE: 'authorized' };

export class FinalizationService {
  /** The merchant's orders read back (checkoutOrder / checkoutOrders). */
  readonly reads: OrderReads;

  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentCompensations,
    private readonly steps: readonly FinalizationStep[],
    private readonly outbox: OutboxNotifier,
    /** A session that came through ACP: its order handed to the merchant is order_update processing (acp-order/). */
    private readonly acpOrders?: AcpOrderEvents,
  ) {
    this.reads = new OrderReads(dataSource);
  }

  /** The session's order, finalizing it if it is not yet. */
  async finalize(principal: Principal, id: string, opts: FinalizeOptions = {}): Promise<OrderEntity> {
    const p = requireKind(principal, ...FINALIZERS);
    // The session and its order in one read (outside the transaction).
    const { session: seen, order: existing } = await this.sessionWithOrder(this.dataSource.manager, p, id);
    if (existing) return answerExisting(existing);
    // Asked before the transaction (a call to payment-intent under a row lock would hold it for the call);
    // the calculation snapshot (never changed once stored) is read meanwhile, used if the session still points at it.
    // So are the steps' own hints (finalization.steps.ts prepare), re-checked by each under the lock.
    const [payment, calculation, prepared] = await Promise.all([
      this.paymentOf(seen),
      seen.calculationId ? calculationById(this.dataSource.manager, seen.calculationId) : Promise.resolve(null),
      Promise.all(this.steps.map((step) => step.prepare?.(this.dataSource.manager, seen))),
    ]);
    // Under the lock, no statement of its own reads the order: the order's INSERT (ON CONFLICT on its
    // unique session) is the check. A finalization that waited for the lock while another committed
    // the session's order inserts nothing, throws, and so rolls back what its steps did; it then
    // answers that order (as does any refusal when an order exists by then).
    let order: OrderEntity;
    try {
      order = await this.dataSource.transaction(async (manager) => {
        const cs = await this.visibleSession(manager, p, id, true);
        const paid = cs.status === CheckoutSessionStatus.COMPLETE ? 'captured' : payment;
        assertFinalizable(cs, paid);
        const made = await this.createOrder(manager, cs, paid!, opts.createOrder !== false, calculation, prepared);
        if (!made) throw new FinalizedMeanwhile(cs.id);
        return made;
      });
    } catch (err) {
      const raced = await this.dataSource.manager.findOneBy(OrderEntity, { checkoutSessionId: seen.id });
      if (raced) return answerExisting(raced);
      throw err;
    }
    this.outbox.notify();
    return order;
  }

  /**
   * The checks finalize makes, without writing: the async route refuses at once what the job
   * would refuse (an unpaid, canceled or expired session), and writes nothing then.
   */
  async assertReady(principal: Principal, id: string): Promise<CheckoutSessionEntity> {
    const p = requireKind(principal, ...FINALIZERS);
    const cs = await this.visibleSession(this.dataSource.manager, p, id, false);
    const existing = await this.dataSource.manager.findOneBy(OrderEntity, { checkoutSessionId: cs.id });
    if (existing) {
      answerExisting(existing);
      return cs;
    }
    assertFinalizable(cs, cs.status === CheckoutSessionStatus.COMPLETE ? 'captured' : await this.paymentOf(cs));
    return cs;
  }

  async orderOf(sessionIds: readonly string[]): Promise<Array<OrderEntity | null>> {
    const rows = await this.dataSource.manager.createQueryBuilder(OrderEntity, 'o').where('o.checkoutSessionId IN (:...ids)', { ids: [...sessionIds] }).getMany();
    const bySession = new Map(rows.map((o) => [o.checkoutSessionId, o]));
    return sessionIds.map((id) => bySession.get(id) ?? null);
  }

  async visibleSession(manager: EntityManager, principal: Principal, id: string, lock: boolean): Promise<CheckoutSessionEntity> {
    const qb = manager.getRepository(CheckoutSessionEntity).createQueryBuilder('cs').where('cs.id = :id', { id });
    scopeCheckoutSessions(qb, 'cs', principal);
    if (lock) qb.setLock('pessimistic_write');
    const cs = await qb.getOne();
    if (!cs) throw checkoutSessionNotFound(id);
    return cs;
  }

  /** The visible session with its order, if any, in one statement (not locking). */
  private async sessionWithOrder(manager: EntityManager, principal: Principal, id: string): Promise<{ session: CheckoutSessionEntity; order: OrderEntity | null }> {
    const qb = manager
      .getRepository(CheckoutSessionEntity)
      .createQueryBuilder('cs')
      .leftJoinAndMapOne('cs.finalizedOrder', OrderEntity, 'fo', 'fo.checkoutSessionId = cs.id')
      .where('cs.id = :id', { id });
    scopeCheckoutSessions(qb, 'cs', principal);
    const found = (await qb.getOne()) as (CheckoutSessionEntity & { finalizedOrder?: OrderEntity | null }) | null;
    if (!found) throw checkoutSessionNotFound(id);
    const order = found.finalizedOrder ?? null;
    delete found.finalizedOrder;
    return { session: found, order };
  }

  /** For a session not yet COMPLETE: is its intent captured (the event is on its way) or authorised? */
  private async paymentOf(cs: CheckoutSessionEntity): Promise<OrderPaymentStatus | string> {
    if (cs.status === CheckoutSessionStatus.COMPLETE) return 'captured';
    if (cs.status !== CheckoutSessionStatus.OPEN || effectiveStatus(cs) !== CheckoutSessionStatus.OPEN) return 'unpaid';
    if (!cs.paymentIntentId) return 'missing';
    const state = await this.payments.paymentState(cs.paymentIntentId);
    if (!state) return 'missing';
    const paid = PAID_STATUSES[state.status];
    // An intent for another amount than the session's total is not this checkout's payment.
    if (paid && (state.amountMinor !== cs.totalMinor || state.currency.toUpperCase() !== cs.currency.toUpperCase())) return 'amount_mismatch';
    return paid ?? state.status.toLowerCase();
  }

  private async createOrder(
    manager: EntityManager,
    cs: CheckoutSessionEntity,
    paymentStatus: OrderPaymentStatus,
    handOff: boolean,
    calculation: StoredCalculation | null,
    prepared: readonly unknown[],
  ): Promise<OrderEntity | null> {
    const order = manager.create(OrderEntity, {
      id: `ord_${ulid()}`,
      receiptId: `rcpt_${ulid()}`,
      checkoutSessionId: cs.id,
      merchantId: cs.merchantId,
      status: 'COMPLETED',
      handedOff: handOff,
      paymentIntentId: cs.paymentIntentId,
      paymentStatus,
      steps: [],
      version: 1,
      // The application's clock, as the timeline's entries and the ids (ULIDs): the order's one
      // statement also writes its webhook event, which carries it.
      createdAt: new Date(),
      rollbackReason: null,
      rolledBackAt: null,
      ...(await pricedContent(manager, cs, calculation)),
    });
    const entries: TimelineEntryDraft[] = [];
    const records: OrderStepRecord[] = [];
    for (const [i, step] of this.steps.entries()) {
      const outcome = await step.finalize(manager, cs, order.id, prepared[i]);
      if (!outcome) continue;
      records.push({ step: step.name, action: 'finalized', at: new Date().toISOString(), detail: outcome.detail });
      entries.push(...(outcome.timeline ?? []));
      entries.push(orderEntry(cs, 'order.step_finalized', outcome.summary, { order_id: order.id, step: step.name, ...outcome.detail }));
    }
    order.steps = records;
    entries.push(
      orderEntry(cs, 'order.created', `Order ${order.id} created (receipt ${order.receiptId}), payment ${paymentStatus}${handOff ? ', handed to the merchant' : ''}`, {
        order_id: order.id,
        receipt_id: order.receiptId,
        calculation_id: order.calculationId,
        payment_status: paymentStatus,
        grand_total: order.grandTotalMinor,
        currency: order.currency,
      }),
    );
    // Handed to the merchant for fulfilment: an ACP order (already created, the session COMPLETE) is processing.
    const acp = handOff && cs.status === CheckoutSessionStatus.COMPLETE && this.acpOrders ? await this.acpOrders.event(manager, 'order_update', cs, 'processing') : [];
    // The order, its timeline entries and its outbox rows in ONE statement; nothing of it written
    // when the session has an order already (null: the caller rolls back and answers that one).
    const inserted = await recordCheckoutChangeIfInserted(manager, orderInsert(order), [...(handOff ? [orderWebhookEvent('order.created', order)] : []), ...acp], entries);
    return inserted ? order : null;
  }
}

/** A finalization that found, once it held the lock, the order another one committed meanwhile (rolled back, then answered that order). */
class FinalizedMeanwhile extends Error {
  constructor(sessionId: string) {
    super(`Checkout session ${sessionId} was finalized meanwhile.`);
  }
}

const ORDER_COLUMNS =
  'id, receipt_id, checkout_session_id, merchant_id, status, handed_off, calculation_id, payment_intent_id, payment_status, currency, sub_total_minor, discount_total_minor, tax_total_minor, shipping_total_minor, grand_total_minor, lines, steps, version, created_at';

/** The order's INSERT for recordCheckoutChangeIfInserted (parameters from $4): nothing when the session has one (its unique key). */
function orderInsert(o: OrderEntity): { sql: string; params: unknown[] } {
  const params = [
    o.id,
    o.receiptId,
    o.checkoutSessionId,
    o.merchantId,
    o.status,
    o.handedOff,
    o.calculationId,
    o.paymentIntentId,
    o.paymentStatus,
    o.currency,
    String(o.subTotalMinor),
    String(o.discountTotalMinor),
    String(o.taxTotalMinor),
    String(o.shippingTotalMinor),
    String(o.grandTotalMinor),
    JSON.stringify(o.lines),
    JSON.stringify(o.steps),
    o.version,
    o.createdAt,
  ];
  const values = params.map((_, i) => `$${i + 4}${i === 15 || i === 16 ? '::jsonb' : ''}`).join(', ');
  return {
    sql: `INSERT INTO ${table('orders')} (${ORDER_COLUMNS}) VALUES (${values}) ON CONFLICT (checkout_session_id) DO NOTHING RETURNING 1`,
    params,
  };
}

/** An existing order answers a finalization again, unless it was rolled back. */
function answerExisting(order: OrderEntity): OrderEntity {
  if (order.status !== 'COMPLETED') throw orderRolledBack(order.checkoutSessionId, order.status);
  return order;
}

/** CANCELED, EXPIRED (unpaid), unpaid, a payment mismatch, a stale calculation: refused with its code. */
function assertFinalizable(cs: CheckoutSessionEntity, paid: OrderPaymentStatus | string | null): asserts paid is OrderPaymentStatus {
  const status = effectiveStatus(cs);
  if (status === CheckoutSessionStatus.CANCELED) throw sessionNotFinalizable(cs.id, status);
  if (status === CheckoutSessionStatus.EXPIRED) throw new HandoffError('CHECKOUT_SESSION_EXPIRED', `Checkout session ${cs.id} expired unpaid: it cannot be finalized.`, { reason: 'checkout_session:expired' });
  if (cs.paymentMismatch) throw checkoutNotPaid(cs.id, 'amount_mismatch');
  if (paid !== 'captured' && paid !== 'authorized') throw checkoutNotPaid(cs.id, paid ?? 'unpaid');
  // Never calculated: its payment commitment found nothing to price beyond the lines (payment-commitment.ts).
  if (cs.calculationId && cs.calculationStale) throw calculationStale(cs.id, 'stale');
}

/** Lines and totals: the calculation snapshot's, or (a session never calculated: its merchant prices nothing) its lines'. */
async function pricedContent(manager: EntityManager, cs: CheckoutSessionEntity, read: StoredCalculation | null): Promise<Pick<OrderEntity, 'calculationId' | 'currency' | 'subTotalMinor' | 'discountTotalMinor' | 'taxTotalMinor' | 'shippingTotalMinor' | 'grandTotalMinor' | 'lines'>> {
  if (cs.calculationId) {
    const stored = read?.id === cs.calculationId ? read : await calculationById(manager, cs.calculationId);
    if (!stored) throw calculationStale(cs.id, 'missing');
    const { totals, lines } = stored.calculation;
    return {
      calculationId: stored.id,
      currency: totals.currency,
      subTotalMinor: totals.subTotal,
      discountTotalMinor: totals.discountTotal,
      taxTotalMinor: totals.taxTotal,
      shippingTotalMinor: totals.shippingTotal,
      grandTotalMinor: totals.grandTotal,
      lines: lines.map((l): OrderLine => ({ lineId: l.id, name: l.name, offerId: l.offerId, quantity: l.quantity, unitAmountMinor: l.unitAmountMinor, discountMinor: l.discountMinor, taxMinor: l.taxMinor, totalMinor: l.totalMinor })),
    };
  }
  const items = await manager.find(LineItemEntity, { where: { checkoutSessionId: cs.id }, order: { position: 'ASC' } });
  return {
    calculationId: null,
    currency: cs.currency,
    subTotalMinor: cs.subtotalMinor,
    discountTotalMinor: cs.discountMinor,
    taxTotalMinor: cs.taxMinor,
    shippingTotalMinor: cs.shippingMinor,
    grandTotalMinor: cs.totalMinor,
    lines: items.map((l): OrderLine => ({ lineId: `L${l.position + 1}`, name: l.name, offerId: l.offerId, quantity: l.quantity, unitAmountMinor: l.unitAmountMinor, discountMinor: 0, taxMinor: 0, totalMinor: l.totalMinor })),
  };
}
