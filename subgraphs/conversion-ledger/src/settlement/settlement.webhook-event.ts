// settlement.batch_paid (outbound webhooks, issue 19; conversion/conversion.webhook-events.ts lists
// the ledger's events): a merchant's batch — its commission invoice — marked paid, to that merchant.
// A builder's payout batch has none: it settles what Handoff owes the builder, from commissions the
// merchants' invoices cover, and its totals are the builder's business, not a merchant's.
import { currentRequestId, readMinorUnits, webhookEventOutboxEvent, type OutboxEvent, type WebhookEventPayload } from '@handoff/shared';
import { iso } from '../conversion/conversion.webhook-events.js';
import type { SettlementBatchRow } from './settlement-batch.js';

/** The paid batch's event payload; null for a builder's payout batch. */
export function batchPaidWebhookPayload(b: SettlementBatchRow): WebhookEventPayload | null {
  if (b.payee_type !== 'merchant') return null;
  const requestId = currentRequestId();
  return {
    type: 'settlement.batch_paid',
    merchantId: b.payee_id,
    checkoutId: null,
    paymentIntentId: null,
    correlation: requestId ? { request_id: requestId } : {},
    object: {
      id: b.id,
      object: 'settlement_batch',
      kind: 'invoice',
      period: b.period,
      status: b.status.toLowerCase(),
      currency: b.currency,
      total: readMinorUnits(b.total_minor),
      line_count: b.line_count,
      created_at: iso(b.created_at),
      paid_at: iso(b.paid_at),
    },
    previousAttributes: { status: 'open', paid_at: null },
    occurredAt: new Date().toISOString(),
  };
}

export function batchPaidWebhookEvents(b: SettlementBatchRow): OutboxEvent[] {
  const p = batchPaidWebhookPayload(b);
  return p ? [webhookEventOutboxEvent(p)] : [];
}
