// The Agentic Commerce Protocol's order events to the agent platform (issue 21 item 3; the spec's
// openapi.agentic_checkout_webhook.yaml; docs/acp.md "Agent webhooks"): for a session that came
// through ACP (origin 'acp': createAgentCheckoutSession, the ACP routes), `order_create` when it
// completes (its payment succeeded: the ACP order the complete route answers, `ord_<session id>`,
// status confirmed) and `order_update` when its order is rolled back (status canceled, with a
// cancellation adjustment) or refunded (a refund adjustment per refund, amount_refunded in the
// totals: acp-order-refunds.ts). Each is a `webhook_event.<type>` outbox row written in the
// transaction of the change, for the agent's endpoints only (the payload's agentId; the merchant
// subgraph's intake sends the spec's `{ type, data }` body, signed with Merchant-Signature,
// retried like every webhook). The data is the full ACP Order: line items (ids li_1… in the
// session's order, as the ACP routes number them), totals in minor units. Other agent sessions
// get checkout.completed and the rest, never these.
import { clientSecretFor, webhookEventOutboxEvent, type AcpOrderEventType, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { LineItemEntity } from '../checkout-session/line-item.entity.js';

export interface AcpOrderLinks {
  /** PUBLIC_BASE_URL without a trailing slash. */
  publicBaseUrl: string;
  internalSecret: string;
}

/** A post-order change in the spec's Adjustment shape. */
export type AcpAdjustment = Record<string, unknown>;

/** The ACP order id of a session (the complete route's `order.id`). */
export const acpOrderId = (checkoutSessionId: string) => `ord_${checkoutSessionId}`;

/** Whether a session's agent gets the ACP order events: it came through ACP. */
export const isAcpSession = (cs: Pick<CheckoutSessionEntity, 'agentId' | 'origin'>): cs is typeof cs & { agentId: string } => Boolean(cs.agentId) && cs.origin === 'acp';

const total = (type: string, display_text: string, amount: number) => ({ type, display_text, amount });

export class AcpOrderEvents {
  /** The order's permalink is the session's page, as the ACP routes answer it. */
  constructor(private readonly links: AcpOrderLinks) {}

  private permalink(cs: Pick<CheckoutSessionEntity, 'id'>): string {
    return `${this.links.publicBaseUrl}/checkout/${encodeURIComponent(cs.id)}?cs=${clientSecretFor(cs.id, this.links.internalSecret)}`;
  }

  /** The session's order in the ACP Order schema; `refundedMinor` adds the amount_refunded total. */
  object(cs: CheckoutSessionEntity, lines: readonly LineItemEntity[], status: string, adjustments: AcpAdjustment[] = [], refundedMinor = 0): Record<string, unknown> {
    const canceled = status === 'canceled';
    return {
      type: 'order',
      id: acpOrderId(cs.id),
      checkout_session_id: cs.id,
      permalink_url: this.permalink(cs),
      status,
      line_items: [...lines]
        .sort((a, b) => a.position - b.position)
        .map((l, i) => ({
          id: `li_${i + 1}`,
          title: l.name,
          ...(l.offerId ? { product_id: l.offerId } : {}),
          quantity: { ordered: l.quantity, current: canceled ? 0 : l.quantity, fulfilled: 0 },
          unit_price: l.unitAmountMinor,
          subtotal: l.totalMinor,
          status: canceled ? 'removed' : 'processing',
        })),
      adjustments,
      totals: [
        total('subtotal', 'Subtotal', cs.subtotalMinor),
        ...(cs.discountMinor ? [total('discount', 'Discount', cs.discountMinor)] : []),
        total('fulfillment', 'Shipping', cs.shippingMinor),
        total('tax', 'Tax', cs.taxMinor),
        total('total', 'Total', cs.totalMinor),
        ...(refundedMinor > 0 ? [total('amount_refunded', 'Refunded', refundedMinor)] : []),
      ],
    };
  }

  /** The event row; none for a session that did not come through ACP. */
  async event(
    manager: EntityManager,
    type: AcpOrderEventType,
    cs: CheckoutSessionEntity,
    status: string,
    adjustments: AcpAdjustment[] = [],
    refundedMinor = 0,
  ): Promise<OutboxEvent[]> {
    if (!isAcpSession(cs)) return [];
    const lines = await manager.find(LineItemEntity, { where: { checkoutSessionId: cs.id } });
    return [
      webhookEventOutboxEvent({
        type,
        merchantId: cs.merchantId,
        agentId: cs.agentId,
        audience: 'agent',
        checkoutId: cs.id,
        paymentIntentId: cs.paymentIntentId,
        object: this.object(cs, lines, status, adjustments, refundedMinor),
        occurredAt: new Date().toISOString(),
      }),
    ];
  }
}
