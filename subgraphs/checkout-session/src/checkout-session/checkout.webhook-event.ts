// The merchant's webhook events of a checkout session's changes (outbound webhooks, issue 19;
// shared/src/contracts/webhook-events.contract.ts), written in the same transaction as the change:
//   checkout.updated    every change through SessionChanger: setCheckoutCustomer, the addresses,
//                       selectCheckoutShipping/ShipmentPlan, apply/removeCheckoutPromotion,
//                       calculateCheckout (and refreshCheckoutSession when it recalculates),
//                       updateCheckoutSession
//   checkout.canceled   cancelCheckoutSession
// One row per change (a refused change writes none; an idempotent replay writes none again).
// The object is the session as its row holds it, in the REST API's snake_case (amounts in minor
// units of `currency`, times in Unix seconds): status, version, the current calculation id and
// totals, what the buyer filled in, the payment intent, the metadata. Never the client secret, the
// hosted page URL or the AAP code. `previousAttributes` holds the fields that changed with their
// earlier values (always `version` and `updated`).
import {
  addToOutbox,
  currentRequestId,
  webhookEventOutboxEvent,
  type WebhookEventPayload,
  type WebhookEventType,
} from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { StoredAddress } from '../address/address.model.js';
import { SCHEMA_NAME } from '../events.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';

export type CheckoutWebhookObject = Record<string, unknown>;

const unix = (d: Date | string) => Math.floor(new Date(d).getTime() / 1000);

const addressObject = (a: StoredAddress | null) =>
  a ? { name: a.name, line1: a.line1, line2: a.line2, city: a.city, state: a.state, postal_code: a.postalCode, country: a.country } : null;

/** The checkout session as merchants' webhooks show it. */
export function checkoutWebhookObject(cs: CheckoutSessionEntity): CheckoutWebhookObject {
  return {
    id: cs.id,
    object: 'checkout',
    status: cs.status.toLowerCase(),
    mode: cs.mode.toLowerCase(),
    version: cs.version,
    currency: cs.currency,
    calculation_id: cs.calculationId,
    calculation_stale: cs.calculationStale,
    totals: {
      currency: cs.currency,
      sub_total: cs.subtotalMinor,
      discount_total: cs.discountMinor,
      tax_total: cs.taxMinor,
      shipping_total: cs.shippingMinor,
      grand_total: cs.totalMinor,
    },
    customer: { email: cs.customerEmail, phone: cs.customerPhone, customer_id: cs.customerId, save_for_later: cs.customerSaveForLater },
    shipping_address: addressObject(cs.shippingAddress),
    billing_address: addressObject(cs.billingAddress),
    selected_shipping: cs.selectedShipping ? { kind: cs.selectedShipping.kind.toLowerCase(), id: cs.selectedShipping.id } : null,
    shipment_plan: (cs.shipmentPlan ?? 'SPLIT').toLowerCase(),
    promotion_codes: [...(cs.promotionCodes ?? [])],
    payment_intent_id: cs.paymentIntentId,
    metadata: { ...(cs.metadata ?? {}) },
    expires_at: unix(cs.expiresAt),
    created: unix(cs.createdAt),
    updated: unix(cs.updatedAt),
  };
}

/** The fields of `after` that differ from `before`, with their earlier values; null when none. */
export function previousAttributes(before: CheckoutWebhookObject, after: CheckoutWebhookObject): Record<string, unknown> | null {
  const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed.length > 0 ? Object.fromEntries(changed.map((k) => [k, before[k]])) : null;
}

/** correlation: the request, and the agent session and recommendation of an agent's checkout. */
function correlationOf(cs: CheckoutSessionEntity): Record<string, string> {
  const ids: Record<string, unknown> = {
    request_id: currentRequestId(),
    agent_session_id: cs.agentSessionId,
    recommendation_id: cs.recommendationId,
  };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

export function checkoutWebhookPayload(type: WebhookEventType, cs: CheckoutSessionEntity, before: CheckoutWebhookObject): WebhookEventPayload {
  const object = checkoutWebhookObject(cs);
  return {
    type,
    merchantId: cs.merchantId,
    checkoutId: cs.id,
    paymentIntentId: cs.paymentIntentId,
    correlation: correlationOf(cs),
    object,
    previousAttributes: previousAttributes(before, object),
    occurredAt: new Date().toISOString(),
  };
}

/** Writes the change's webhook event in the caller's transaction (the caller notifies the relay after commit). */
export function announceCheckoutChange(
  manager: EntityManager,
  type: Extract<WebhookEventType, 'checkout.updated' | 'checkout.canceled'>,
  cs: CheckoutSessionEntity,
  before: CheckoutWebhookObject,
): Promise<string> {
  return addToOutbox(manager, SCHEMA_NAME, webhookEventOutboxEvent(checkoutWebhookPayload(type, cs, before)));
}
