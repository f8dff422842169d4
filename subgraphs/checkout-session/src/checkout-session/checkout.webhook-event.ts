// The merchant's webhook events of a checkout session's changes (outbound webhooks, issue 19;
// shared/src/contracts/webhook-events.contract.ts), written in the same transaction as the change:
//   checkout.created    a session is opened: createCheckoutSession, and an agent's checkout
//                       (insertCheckoutSession, in the statement of the insert; an agent checkout
//                       priced at once writes it after its calculation, so it shows the totals)
//   checkout.updated    every change through SessionChanger: setCheckoutCustomer, the addresses,
//                       selectCheckoutShipping/ShipmentPlan, apply/removeCheckoutPromotion,
//                       calculateCheckout (and refreshCheckoutSession when it recalculates),
//                       updateCheckoutSession; not a recalculation of a fresh session that came
//                       to the same totals (only its calculation id moved: onlyRecalculated)
//   checkout.completed  → COMPLETE (its payment succeeded)
//   checkout.expired    → EXPIRED (expireCheckoutSession, the expiry sweep, an agent's stale checkout)
//   checkout.canceled   → CANCELED (cancelCheckoutSession; a session whose payment intent the PSP refused)
//   checkout.failed     a payment succeeded for another amount or currency than the session's total:
//                       the session is not completed and records `payment_mismatch` (the only
//                       failure a session records; it has no failed status)
// The status moves are written by transitionCheckoutSession, in the INSERT of its own
// `checkout_session.<status>` event. One row per change (a refused change writes none; an
// idempotent replay writes none again).
// The object is the session as its row holds it, in seed 003's snake_case (the REST resource's
// names: checkout_id, totals, calculation_id, created_at…; amounts in minor units of `currency`,
// times ISO 8601): status, version, the current calculation id and totals, what the buyer filled
// in, the payment intent's id, a payment mismatch, the metadata. Never the client secret, the
// hosted page URL or the AAP code. `previousAttributes` holds the fields that changed with their
// earlier values (always `version` and `updated_at`); none for checkout.created.
import {
  addToOutbox,
  currentRequestId,
  webhookEventOutboxEvent,
  type OutboxEvent,
  type WebhookEventPayload,
  type WebhookEventType,
} from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { StoredAddress } from '../address/address.model.js';
import { SCHEMA_NAME } from '../events.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';

export type CheckoutWebhookObject = Record<string, unknown>;

const iso = (d: Date | string) => new Date(d).toISOString();

const addressObject = (a: StoredAddress | null) =>
  a ? { name: a.name, line1: a.line1, line2: a.line2, city: a.city, state: a.state, postal_code: a.postalCode, country: a.country } : null;

/** The checkout session as merchants' webhooks show it. */
export function checkoutWebhookObject(cs: CheckoutSessionEntity): CheckoutWebhookObject {
  const mismatch = cs.paymentMismatch;
  return {
    checkout_id: cs.id,
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
    payment_mismatch: mismatch
      ? {
          payment_intent_id: mismatch.paymentIntentId,
          expected_amount: mismatch.expectedAmountMinor,
          expected_currency: mismatch.expectedCurrency,
          received_amount: mismatch.receivedAmountMinor,
          received_currency: mismatch.receivedCurrency,
          detected_at: mismatch.detectedAt,
        }
      : null,
    metadata: { ...(cs.metadata ?? {}) },
    expires_at: iso(cs.expiresAt),
    created_at: iso(cs.createdAt),
    updated_at: iso(cs.updatedAt),
  };
}

/** The fields of `after` that differ from `before`, with their earlier values; null when none. */
export function previousAttributes(before: CheckoutWebhookObject, after: CheckoutWebhookObject): Record<string, unknown> | null {
  const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed.length > 0 ? Object.fromEntries(changed.map((k) => [k, before[k]])) : null;
}

// What a recalculation of an unchanged session moves: the new snapshot's id and the save's bookkeeping.
const RECALCULATION_ONLY = new Set(['calculation_id', 'version', 'updated_at']);

/**
 * True when `after` differs from `before` only by a new calculation id (and version, updated_at):
 * a calculation of a session already calculated and fresh that came to the same totals. Merchants
 * get no checkout.updated for it (its timeline keeps the calculation).
 */
export function onlyRecalculated(before: CheckoutWebhookObject, after: CheckoutWebhookObject): boolean {
  if (before.calculation_id === null || before.calculation_id === after.calculation_id) return false;
  return Object.keys(after).every((k) => RECALCULATION_ONLY.has(k) || JSON.stringify(before[k]) === JSON.stringify(after[k]));
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

/** `before`: the session's object before the change; null for a new session (checkout.created). */
export function checkoutWebhookPayload(type: WebhookEventType, cs: CheckoutSessionEntity, before: CheckoutWebhookObject | null): WebhookEventPayload {
  const object = checkoutWebhookObject(cs);
  return {
    type,
    merchantId: cs.merchantId,
    // The agent whose checkout created the session: its endpoints get checkout.completed too.
    agentId: cs.agentId,
    checkoutId: cs.id,
    paymentIntentId: cs.paymentIntentId,
    correlation: correlationOf(cs),
    object,
    previousAttributes: before ? previousAttributes(before, object) : null,
    occurredAt: new Date().toISOString(),
  };
}

export type CheckoutWebhookType = Extract<
  WebhookEventType,
  'checkout.created' | 'checkout.updated' | 'checkout.completed' | 'checkout.failed' | 'checkout.canceled' | 'checkout.expired'
>;

/** The change's webhook event row, for a caller that writes it with other rows (one INSERT). */
export function checkoutWebhookEvent(type: CheckoutWebhookType, cs: CheckoutSessionEntity, before: CheckoutWebhookObject | null): OutboxEvent {
  return webhookEventOutboxEvent(checkoutWebhookPayload(type, cs, before));
}

/** The webhook event of a move to `status`; none for a status merchants do not subscribe to (OPEN). */
export const WEBHOOK_TYPE_OF_STATUS: Readonly<Partial<Record<CheckoutSessionStatus, CheckoutWebhookType>>> = {
  [CheckoutSessionStatus.COMPLETE]: 'checkout.completed',
  [CheckoutSessionStatus.EXPIRED]: 'checkout.expired',
  [CheckoutSessionStatus.CANCELED]: 'checkout.canceled',
};

/** Writes the change's webhook event in the caller's transaction (the caller notifies the relay after commit). */
export function announceCheckoutChange(
  manager: EntityManager,
  type: CheckoutWebhookType,
  cs: CheckoutSessionEntity,
  before: CheckoutWebhookObject | null,
): Promise<string> {
  return addToOutbox(manager, SCHEMA_NAME, checkoutWebhookEvent(type, cs, before));
}
