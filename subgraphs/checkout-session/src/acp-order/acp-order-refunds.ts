// Refunds told to the agent platform (issue 21 item 3; docs/acp.md "Agent webhooks"): payment-intent
// routes `payment_intent.refunded` here (the intent's new refunded total and the refund that moved
// it); for a session that came through ACP, its order's `order_update` carries every refund so far
// as a `refund` adjustment (status completed, its amount: a full refund is the whole charge, a
// partial one less) and the cumulative `amount_refunded` total. Exactly once per fact: the fact is
// the refunded total reaching a new amount (it only grows), recorded in checkout.acp_order_refunds
// under the session's row lock; a redelivered or concurrent job finds it recorded and sends nothing.
import { type PaymentIntentEventPayload } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { addAllToOutbox } from '@handoff/shared';
import { SCHEMA_NAME, table, type OutboxNotifier } from '../events.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { OrderEntity } from '../order/order.entity.js';
import { isAcpSession, type AcpAdjustment, type AcpOrderEvents } from './acp-order.events.js';

interface RefundRow {
  refunded_total_minor: string;
  refund_id: string | null;
  reason: string | null;
  currency: string;
  occurred_at: Date;
}

/** A refund job that came before the session completed: retried (the queue's backoff) until it has. */
export class RefundBeforeCompletion extends Error {}

export class AcpOrderRefunds {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: AcpOrderEvents,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** `payment_intent.refunded`: 'recorded' when this refunded total is new for an ACP session (its order_update written). */
  async paymentRefunded(event: PaymentIntentEventPayload): Promise<'recorded' | 'unchanged'> {
    const intent = event.paymentIntent;
    const sessionId = intent?.checkoutSessionId;
    if (!sessionId || !(intent.amountRefundedMinor > 0)) return 'unchanged';
    const outcome = await this.dataSource.transaction(async (manager) => {
      const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!cs || !isAcpSession(cs)) return 'unchanged' as const;
      // Its payment succeeded, so it completes: the order_create goes first.
      if (cs.status === CheckoutSessionStatus.OPEN) throw new RefundBeforeCompletion(`refund of ${intent.id} before checkout session ${cs.id} completed`);
      if (cs.status !== CheckoutSessionStatus.COMPLETE) return 'unchanged' as const;
      const inserted: unknown[] = await manager.query(
        `INSERT INTO ${table('acp_order_refunds')} (checkout_session_id, refunded_total_minor, refund_id, reason, currency, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
        [cs.id, intent.amountRefundedMinor, event.refund?.id ?? null, event.refund?.reason ?? null, intent.currency.toLowerCase(), new Date(event.occurredAt)],
      );
      if (inserted.length === 0) return 'unchanged' as const;
      const rows: RefundRow[] = await manager.query(
        `SELECT refunded_total_minor, refund_id, reason, currency, occurred_at FROM ${table('acp_order_refunds')}
          WHERE checkout_session_id = $1 ORDER BY refunded_total_minor`,
        [cs.id],
      );
      const captured = intent.amountCapturedMinor;
      const adjustments = refundAdjustments(rows, captured);
      const refunded = Number(rows[rows.length - 1]!.refunded_total_minor);
      const order = await manager.findOneBy(OrderEntity, { checkoutSessionId: cs.id });
      const status = order?.status === 'ROLLED_BACK' ? 'canceled' : 'confirmed';
      await addAllToOutbox(manager, SCHEMA_NAME, await this.orders.event(manager, 'order_update', cs, status, adjustments, refunded));
      return 'recorded' as const;
    });
    if (outcome === 'recorded') this.outbox.notify();
    return outcome;
  }
}

/** Each refunded total recorded, as the refund that reached it (the step from the previous total). */
export function refundAdjustments(rows: readonly RefundRow[], capturedMinor: number): AcpAdjustment[] {
  let previous = 0;
  return rows.map((r) => {
    const reached = Number(r.refunded_total_minor);
    const amount = reached - previous;
    previous = reached;
    const full = amount >= capturedMinor;
    return {
      id: r.refund_id ? `adj_${r.refund_id}` : `adj_refund_${reached}`,
      type: 'refund',
      occurred_at: new Date(r.occurred_at).toISOString(),
      status: 'completed',
      amount,
      currency: r.currency,
      description: `${full ? 'Full' : 'Partial'} refund${r.reason && r.reason !== 'reported_by_psp' ? `: ${r.reason}` : ''}`,
      reason: full ? 'full_refund' : 'partial_refund',
    };
  });
}
