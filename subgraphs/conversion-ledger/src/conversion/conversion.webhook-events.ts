// The merchant's webhook events of the ledger (outbound webhooks, issue 19;
// shared/src/contracts/webhook-events.contract.ts), each written in the transaction of its change,
// to the merchant whose offer converted (the conversion's merchantId):
//   conversion.created     — a conversion is recorded: reported by the merchant, or from a verified
//                            payment (its `verification` says verified or flagged:<reason>);
//   conversion.verified    — a flagged conversion an admin approved (flagged:<reason> → verified);
//                            one recorded verified says so in its conversion.created;
//   conversion.clawed_back — a full refund or a lost dispute reversed its commission;
//   milestone.recorded     — a step of its flow recorded (the merchant's, or the payment step a
//                            verified payment records itself);
//   settlement.batch_paid  — the merchant's own batch (its commission invoice) was marked paid.
// A builder's payout batch is not a merchant event: it settles what Handoff owes a builder, from
// commissions the merchant's invoice already covers, and its totals are the builder's business;
// no merchant hears of it. Other conversion moves (validated, payable, paid, disputed, restored,
// rejected, a partial refund's smaller commission) have no event type and write none.
// Objects are snake_case, amounts in minor units beside their currency, times ISO 8601. The
// batch's event is settlement/settlement.webhook-event.ts.
import {
  currentRequestId,
  readMinorUnits,
  webhookEventOutboxEvent,
  type OutboxEvent,
  type WebhookEventPayload,
  type WebhookEventType,
} from '@handoff/shared';
import type { ConversionEntity } from './conversion.entity.js';

export const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());
/**
 * An amount as a number. A row just inserted carries its database defaults as TypeORM hands them
 * back from RETURNING (bigint text, not through the column's transformer), so read them again.
 */
const minor = (v: number | string): number => readMinorUnits(v);

/** The conversion as merchants' webhooks show it. */
export function conversionWebhookObject(c: ConversionEntity): Record<string, unknown> {
  return {
    id: c.id,
    object: 'conversion',
    status: c.status.toLowerCase(),
    conversion_path: c.conversionPath.toLowerCase(),
    verification: c.verification,
    currency: c.currency,
    transaction_value: minor(c.transactionValueMinor),
    refunded: minor(c.refundedMinor),
    commission: {
      type: c.commissionType.toLowerCase(),
      amount: minor(c.commissionMinor),
      network_fee: minor(c.networkFeeMinor),
      builder_payout: minor(c.builderPayoutMinor),
      unclaimed: minor(c.unclaimedMinor),
      forfeited: minor(c.forfeitedMinor),
    },
    order_reference: c.orderReference ?? null,
    agent_id: c.agentId ?? null,
    agent_session_id: c.sessionId ?? null,
    recommendation_id: c.recommendationId ?? null,
    offer_id: c.offerId ?? null,
    payment_intent_id: c.paymentIntentId ?? null,
    subscription_id: c.subscriptionId ?? null,
    billing_period: c.billingPeriod ?? null,
    validation_period_days: c.validationPeriodDays,
    validates_at: iso(c.validatesAt),
    review_reason: c.reviewReason ?? null,
    paid_at: iso(c.paidAt),
    version: c.version,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

/** The fields of `after` that differ from `before`, with their earlier values (null when none). */
export function previousAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | null {
  const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return changed.length > 0 ? Object.fromEntries(changed.map((k) => [k, before[k]])) : null;
}

function correlationOf(c: ConversionEntity): Record<string, string> {
  const ids: Record<string, string | null> = {
    request_id: currentRequestId() ?? null,
    agent_session_id: c.sessionId ?? null,
    recommendation_id: c.recommendationId ?? null,
    conversion_id: c.id,
  };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

function payload(type: WebhookEventType, c: ConversionEntity, object: Record<string, unknown>, previous: Record<string, unknown> | null): WebhookEventPayload {
  return {
    type,
    merchantId: c.merchantId,
    // The agent whose recommendation converted: its endpoints get conversion.verified too.
    agentId: c.agentId ?? null,
    checkoutId: null,
    paymentIntentId: c.paymentIntentId ?? null,
    correlation: correlationOf(c),
    object,
    previousAttributes: previous,
    occurredAt: new Date().toISOString(),
  };
}

/** A conversion's event: `before` is its webhook object before the change (none for conversion.created). */
export function conversionWebhookPayload(
  type: 'conversion.created' | 'conversion.verified' | 'conversion.clawed_back',
  c: ConversionEntity,
  before: Record<string, unknown> | null = null,
): WebhookEventPayload {
  const object = conversionWebhookObject(c);
  return payload(type, c, object, before ? previousAttributes(before, object) : null);
}

export const conversionWebhookEvent = (...args: Parameters<typeof conversionWebhookPayload>): OutboxEvent =>
  webhookEventOutboxEvent(conversionWebhookPayload(...args));

/**
 * The events of a conversion just recorded: conversion.created (the merchant's, and no agent's),
 * and — when it was recorded verified and names an agent — conversion.verified for that agent's
 * endpoints only (audience 'agent'): the agent hears that its conversion verified however it got
 * there (recorded verified, or approved later: conversion.verified to both).
 */
export function conversionRecordedEvents(c: ConversionEntity): OutboxEvent[] {
  const events = [conversionWebhookEvent('conversion.created', c)];
  if (c.verification === 'verified' && c.agentId) {
    events.push(webhookEventOutboxEvent({ ...conversionWebhookPayload('conversion.verified', c), audience: 'agent' }));
  }
  return events;
}

/** A milestone row as recorded (ledger.conversion_milestones). */
export interface MilestoneRecord {
  id: string;
  step: string;
  stepIndex: number;
  status: string;
  metadata: Record<string, unknown> | null;
  recordedAt: Date;
}

/** milestone.recorded: the milestone, naming its conversion. */
export function milestoneWebhookPayload(c: ConversionEntity, m: MilestoneRecord): WebhookEventPayload {
  const object = {
    id: m.id,
    object: 'milestone',
    conversion_id: c.id,
    step: m.step,
    step_index: m.stepIndex,
    status: m.status,
    metadata: m.metadata,
    recorded_at: iso(m.recordedAt),
  };
  return payload('milestone.recorded', c, object, null);
}

export const milestoneWebhookEvent = (c: ConversionEntity, m: MilestoneRecord): OutboxEvent => webhookEventOutboxEvent(milestoneWebhookPayload(c, m));
