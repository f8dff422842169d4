// The one way a checkout session changes status: check the table, save with the version (a
// concurrent change → VERSION_CONFLICT), write the event to the outbox, and the merchant's webhook
// event of the move (checkout.completed / expired / canceled: checkout.webhook-event.ts), its audit
// row (checkout.audit.ts) and its timeline entry (timeline/) in the same statement. Runs inside the caller's transaction; the caller notifies the relay after commit.
// (Agent sessions: agent-session.transition.ts.)
import { assertTransition, versionConflict, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { sessionEvent } from '../events.js';
import { statusEntry } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { checkoutAudit, statusAction } from './checkout.audit.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import { checkoutSessionStates } from './checkout-session.states.js';
import { checkoutWebhookEvent, checkoutWebhookObject, WEBHOOK_TYPE_OF_STATUS } from './checkout.webhook-event.js';

export function checkoutSessionSnapshot(cs: CheckoutSessionEntity): Record<string, unknown> {
  return {
    checkoutSession: {
      id: cs.id,
      status: cs.status,
      mode: cs.mode,
      merchantId: cs.merchantId,
      agentId: cs.agentId,
      agentSessionId: cs.agentSessionId,
      recommendationId: cs.recommendationId,
      offerId: cs.offerId,
      amountMinor: cs.totalMinor,
      currency: cs.currency,
      paymentIntentId: cs.paymentIntentId,
      expiresAt: cs.expiresAt.toISOString(),
      version: cs.version,
    },
  };
}

/** What the buyer fills in (issue 18, part B1): set by the buyer-facing mutations, empty on a new session. */
export type BuyerDetailField =
  | 'customerPhone'
  | 'customerId'
  | 'customerSaveForLater'
  | 'shippingAddress'
  | 'billingAddress'
  | 'selectedShipping'
  | 'shipmentPlan'
  | 'promotionCodes'
  | 'calculationId'
  | 'calculationStale';

/** A new session's buyer details (the columns' defaults). */
export const NO_BUYER_DETAILS: Pick<CheckoutSessionEntity, BuyerDetailField> = {
  customerPhone: null,
  customerId: null,
  customerSaveForLater: false,
  shippingAddress: null,
  billingAddress: null,
  selectedShipping: null,
  shipmentPlan: null,
  promotionCodes: [],
  calculationId: null,
  calculationStale: true,
};

/** Saves `changes` on `cs` if its version is still `cs.version`; bumps the version. */
export async function saveCheckoutSessionVersioned(
  manager: EntityManager,
  cs: CheckoutSessionEntity,
  changes: Partial<
    Pick<
      CheckoutSessionEntity,
      | 'status'
      | 'paymentIntentId'
      | 'paymentIntentsCanceledAt'
      | 'paymentMismatch'
      | 'customerEmail'
      | 'subtotalMinor'
      | 'discountMinor'
      | 'taxMinor'
      | 'shippingMinor'
      | 'totalMinor'
      | 'aapCode'
      | BuyerDetailField
    >
  >,
): Promise<CheckoutSessionEntity> {
  const result = await manager
    .createQueryBuilder()
    .update(CheckoutSessionEntity)
    .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
    .where('id = :id AND version = :version', { id: cs.id, version: cs.version })
    .returning('updated_at')
    .execute();
  if (result.affected !== 1) {
    const current = await manager.findOneBy(CheckoutSessionEntity, { id: cs.id });
    throw versionConflict(cs.version, current?.version ?? cs.version);
  }
  // The database's time, as a later read shows it (an answer and its idempotent replay agree).
  const updatedAt = (result.raw as Array<{ updated_at?: Date }>)[0]?.updated_at ?? new Date();
  Object.assign(cs, changes, { version: cs.version + 1, updatedAt });
  return cs;
}

export async function transitionCheckoutSession(
  manager: EntityManager,
  cs: CheckoutSessionEntity,
  to: CheckoutSessionStatus,
  extra: Partial<Pick<CheckoutSessionEntity, 'paymentIntentId'>> = {},
  /** More rows of the change (an ACP session's order_create: acp-order/), written with it. */
  also: readonly OutboxEvent[] = [],
): Promise<CheckoutSessionEntity> {
  assertTransition(checkoutSessionStates, cs.status, to);
  const webhookType = WEBHOOK_TYPE_OF_STATUS[to];
  const before = checkoutWebhookObject(cs);
  await saveCheckoutSessionVersioned(manager, cs, { status: to, ...extra });
  const webhook = [...(webhookType ? [checkoutWebhookEvent(webhookType, cs, before)] : []), ...also];
  // With its audit row and its timeline entry (completed, canceled, expired), in one statement.
  const timeline = statusEntry(cs, to);
  await recordCheckoutChange(
    manager,
    [sessionEvent('checkout_session', to, cs.id, checkoutSessionSnapshot(cs)), ...webhook, ...checkoutAudit(statusAction(to), cs, before, checkoutWebhookObject(cs))],
    timeline ? [timeline] : [],
  );
  return cs;
}
