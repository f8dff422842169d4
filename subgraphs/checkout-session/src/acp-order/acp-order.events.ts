// The Agentic Commerce Protocol's order events to the agent platform (issue 21 item 3; the spec's
// openapi.agentic_checkout_webhook.yaml; docs/acp.md "Agent webhooks"): for a session an agent
// created, `order_create` when it completes (its payment succeeded: the ACP order the complete
// route answers, `ord_<session id>`, status confirmed) and `order_update` when its order is rolled
// back (status canceled, with a cancellation adjustment). Each is a `webhook_event.<type>` outbox
// row written in the transaction of the change, for the agent's endpoints only (the payload's
// agentId; the merchant subgraph's intake sends the spec's `{ type, data }` body, signed with
// Merchant-Signature, retried like every webhook). The data is the full ACP Order: line items
// (ids li_1… in the session's order, as the ACP routes number them), totals in minor units.
import { clientSecretFor, webhookEventOutboxEvent, type AcpOrderEventType, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { LineItemEntity } from '../checkout-session/line-item.entity.js';

export interface AcpOrderLinks {
  /** PUBLIC_BASE_URL without a trailing slash. */
  publicBaseUrl: string;
  internalSecret: string;
}

let links: AcpOrderLinks | null = null;

/** Set once by the app (app.ts): the order's permalink is the session's page, as the ACP routes answer it. */
export function configureAcpOrderLinks(l: AcpOrderLinks): void {
  links = l;
}

/** The ACP order id of a session (the complete route's `order.id`). */
export const acpOrderId = (checkoutSessionId: string) => `ord_${checkoutSessionId}`;

function permalink(cs: Pick<CheckoutSessionEntity, 'id'>): string {
  if (!links) throw new Error('ACP order links are not configured (configureAcpOrderLinks)');
  return `${links.publicBaseUrl}/checkout/${encodeURIComponent(cs.id)}?cs=${clientSecretFor(cs.id, links.internalSecret)}`;
}

const total = (type: string, display_text: string, amount: number) => ({ type, display_text, amount });

/** The session's order in the ACP Order schema. */
export function acpOrderObject(cs: CheckoutSessionEntity, lines: readonly LineItemEntity[], status: string, adjustments: Array<Record<string, unknown>> = []): Record<string, unknown> {
  const canceled = status === 'canceled';
  return {
    type: 'order',
    id: acpOrderId(cs.id),
    checkout_session_id: cs.id,
    permalink_url: permalink(cs),
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
    ],
  };
}

/** The event row; none for a session no agent created. */
export async function acpOrderEvent(
  manager: EntityManager,
  type: AcpOrderEventType,
  cs: CheckoutSessionEntity,
  status: string,
  adjustments: Array<Record<string, unknown>> = [],
): Promise<OutboxEvent[]> {
  if (!cs.agentId) return [];
  const lines = await manager.find(LineItemEntity, { where: { checkoutSessionId: cs.id } });
  return [
    webhookEventOutboxEvent({
      type,
      merchantId: cs.merchantId,
      agentId: cs.agentId,
      audience: 'agent',
      checkoutId: cs.id,
      paymentIntentId: cs.paymentIntentId,
      object: acpOrderObject(cs, lines, status, adjustments),
      occurredAt: new Date().toISOString(),
    }),
  ];
}
