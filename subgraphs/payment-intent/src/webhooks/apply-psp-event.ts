// Applies one inbox row (a verified PSP event) to its payment intent, writes its
// `psp_event.<kind>` outbox row and marks the row processed, in one transaction. Events only
// move an intent forward, so any delivery order converges; a processed row is never applied
// again. An event for a payment of Handoff's that is not known yet throws PaymentNotKnownYet
// (the job retries with backoff, and the intent's creation re-runs it). A dispute opened on a known
// intent of the signing merchant also writes the merchant's `payment.disputed` webhook event.
import { addAllToOutbox, addToOutbox, auditOutboxEvent, pspEventTopic, pspWebhookActor, runWithActor, webhookEventOutboxEvent, type PspEventPayload } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { PAYMENT_SCHEMA, paymentIntentSnapshot, recordTimeline, transition } from '../payment-intent/payment-intent.changes.js';
import { disputeTimelineEvent } from '../payment-intent/payment-intent.timeline.js';
import { CHECKOUT_METADATA_KEY } from '../payment-intent/payment-intent.commands.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntentStatus as S } from '../payment-intent/payment-intent.enums.js';
import { paymentWebhookPayload } from '../payment-intent/payment-intent.webhook-event.js';
import { isForward } from '../payment-intent/payment-intent.states.js';
import { providerOfPath } from '../psp/merchant-credentials.js';
import { recordReportedRefund } from '../refund/refund.service.js';
import { readPspEvent, REFUND_UPDATE_TYPES, type PspEvent } from './psp-event.js';
import { WebhookInboxEntity } from './webhook-inbox.entity.js';
import { applyStripeBillingEvent, isStripeBillingEvent } from '../billing-subscription/stripe-billing-events.js';

export class PaymentNotKnownYet extends Error {
  constructor(readonly providerPaymentId: string) {
    super(`No payment intent for PSP payment ${providerPaymentId} yet; will retry`);
    this.name = 'PaymentNotKnownYet';
  }
}

export type ApplyOutcome = 'already_processed' | 'applied' | `no_effect:${string}`;

const TARGET: Partial<Record<PspEvent['kind'], S>> = {
  succeeded: S.SUCCEEDED,
  processing: S.PROCESSING,
  requires_action: S.REQUIRES_ACTION,
  failed: S.REQUIRES_PAYMENT_METHOD,
  canceled: S.CANCELED,
};

const IN_FLIGHT: readonly S[] = [S.REQUIRES_ACTION, S.PROCESSING];

/**
 * Whether an event about an attempt's progress (in flight, or failed) is about an attempt that is
 * over: another payment method than the intent's current one (an earlier attempt), or the
 * current one after it already failed. Such an event arriving late must not move the intent
 * (a late `requires_action` after a failed 3-D Secure would otherwise reopen the challenge).
 * Outcomes that move money (succeeded, requires_capture, canceled) are never stale.
 */
export function isStaleAttempt(intent: Pick<PaymentIntentEntity, 'status' | 'paymentMethodId' | 'lastPaymentError'>, target: S, paymentMethod: string | undefined): boolean {
  if (!paymentMethod || !intent.paymentMethodId) return false;
  if (!IN_FLIGHT.includes(target) && target !== S.REQUIRES_PAYMENT_METHOD) return false;
  if (paymentMethod !== intent.paymentMethodId) return true;
  return IN_FLIGHT.includes(target) && intent.status === S.REQUIRES_PAYMENT_METHOD && intent.lastPaymentError !== null;
}

/** The payload of a `psp_event.<kind>` event (shared/src/contracts/payment-events.contract.ts). */
export function pspEventPayload(provider: string, merchantId: string, event: PspEvent, intent: PaymentIntentEntity | null): PspEventPayload {
  return {
    provider,
    merchantId,
    pspEvent: { id: event.id, type: event.type, created: event.created },
    object: event.object,
    paymentIntent: intent ? paymentIntentSnapshot(intent) : null,
  };
}

export class PspEventApplier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly committed: () => void,
    /** Stripe Billing: the PaymentIntent of a Stripe invoice's payment (asked of Stripe with the merchant's key; stripe-billing.ts). */
    private readonly invoicePaymentIntent: (merchantId: string, invoiceId: string) => Promise<string | null> = async () => null,
  ) {}

  async apply(inboxId: string): Promise<ApplyOutcome> {
    // A Stripe invoice event names no PaymentIntent (API 2025+): its payment's is asked of Stripe first, outside the transaction.
    const pending = await this.dataSource.getRepository(WebhookInboxEntity).findOneBy({ id: inboxId });
    const billingInvoice =
      pending && !pending.processedAt && isStripeBillingEvent(pending.provider, pending.eventType) && pending.eventType.startsWith('invoice.') ? (pending.providerPaymentId ?? null) : null;
    const stripePi = billingInvoice ? await this.invoicePaymentIntent(pending!.merchantId, billingInvoice) : null;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(WebhookInboxEntity, { where: { id: inboxId }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.processedAt) return 'already_processed' as const;
      let event = readPspEvent(row.body);
      const provider = providerOfPath[row.provider]!;
      const billing = isStripeBillingEvent(row.provider, event.type);
      let intent = event.object.id && !billing
        ? await manager.findOne(PaymentIntentEntity, { where: { provider, providerPaymentId: event.object.id }, lock: { mode: 'pessimistic_write' } })
        : null;
      let result: ApplyOutcome;
      if (billing) {
        // Stripe Billing's subscription and invoice events: Handoff's subscription, through the renewals' own functions.
        const raw = row.body as { data: { object: Record<string, unknown> } };
        const read = event;
        const applied = await runWithActor(pspWebhookActor(row.provider, read.id), () =>
          applyStripeBillingEvent(manager, row.merchantId, { id: read.id, type: read.type, created: read.created, object: raw.data.object }, stripePi),
        );
        result = applied.outcome;
        // A Stripe invoice paid is the period's payment: announced as psp_event.succeeded of its intent, as any payment (the ledger's input).
        if (applied.payment) {
          intent = applied.payment.intent;
          event = { ...read, kind: 'succeeded', object: applied.payment.object };
        }
      } else if (!intent) {
        // Ours (created by Handoff) but not committed yet: keep it and retry. Anything else
        // (a payment made outside Handoff, an event about no payment) is recorded, no effect.
        if (event.kind !== 'other' && event.object.id && event.object.metadata[CHECKOUT_METADATA_KEY]) throw new PaymentNotKnownYet(event.object.id);
        result = 'no_effect:unknown_payment';
      } else if (intent.merchantId !== row.merchantId) {
        // Signed with one merchant's secret, about another merchant's payment: never evidence.
        await this.markProcessed(manager, row, 'no_effect:merchant_mismatch');
        return 'no_effect:merchant_mismatch' as const;
      } else {
        // What the event changes is the PSP's doing: its timeline entries and audit rows say so.
        const [found, read] = [intent, event];
        result = await runWithActor(pspWebhookActor(row.provider, read.id), () => this.applyToIntent(manager, found, read));
      }
      await addToOutbox(manager, PAYMENT_SCHEMA, {
        topic: pspEventTopic(event.kind),
        aggregateId: intent?.id ?? `${row.provider}:${event.object.id ?? event.id}`,
        payload: { ...pspEventPayload(provider, row.merchantId, event, intent) },
      });
      await this.markProcessed(manager, row, result);
      return result;
    });
    this.committed();
    return outcome;
  }

  private async applyToIntent(manager: EntityManager, intent: PaymentIntentEntity, event: PspEvent): Promise<ApplyOutcome> {
    const before = intent.version;
    const data = { pspEventId: event.id, pspEventType: event.type };
    await recordTimeline(manager, intent.id, `psp.${event.type}`, { ...data, object: event.object });
    const o = event.object;
    switch (event.kind) {
      case 'refunded':
        // A refund proves the payment was captured: a late `succeeded` must find it SUCCEEDED.
        await this.moveForward(manager, intent, S.SUCCEEDED, o.amountReceived ?? o.amount ?? intent.amountMinor, data);
        if (intent.status === S.SUCCEEDED) {
          await recordReportedRefund(manager, intent, {
            refundId: o.refund?.id ?? null,
            amountMinor: o.refund?.amount ?? null,
            totalRefundedMinor: o.amountRefunded ?? null,
            status: o.refund?.status ?? null,
          });
        }
        break;
      case 'dispute_opened':
        // The intent does not change (a dispute is about its charge); the merchant hears of it.
        if (o.dispute) {
          const dispute = { id: o.dispute.id || null, status: o.dispute.status, amount: o.amount, currency: o.currency };
          await addAllToOutbox(manager, PAYMENT_SCHEMA, [
            webhookEventOutboxEvent(paymentWebhookPayload('payment.disputed', intent, { dispute })),
            ...disputeTimelineEvent(intent, dispute),
            auditOutboxEvent({ entityType: 'payment_intent', entityId: intent.id, merchantId: intent.merchantId, action: 'disputed', after: { dispute } }, 'payment-intent'),
          ]);
        }
        break;
      case 'dispute_closed':
        break; // the timeline row above; the ledger acts on psp_event.dispute_*
      case 'other':
        // A refund's later status (Stripe's pending refunds): completes or fails our PENDING row.
        // Kind `other` for the ledger, which counts refunds from `charge.refunded` totals.
        if (REFUND_UPDATE_TYPES.has(event.type) && o.refund?.id && intent.status === S.SUCCEEDED) {
          await recordReportedRefund(manager, intent, { refundId: o.refund.id, amountMinor: o.refund.amount, totalRefundedMinor: null, status: o.refund.status ?? null });
          return intent.version !== before ? 'applied' : 'no_effect:already_there';
        }
        return 'no_effect:unhandled_type';
      default: {
        const to = TARGET[event.kind]!;
        // With MANUAL capture, an authorization reported as succeeded-to-capture is REQUIRES_CAPTURE.
        const target = to === S.SUCCEEDED && o.status === 'requires_capture' ? S.REQUIRES_CAPTURE : to;
        if (isStaleAttempt(intent, target, o.paymentMethod)) return 'no_effect:stale_attempt';
        if (target === S.REQUIRES_PAYMENT_METHOD && o.lastPaymentError) intent.lastPaymentError = { ...o.lastPaymentError };
        await this.moveForward(manager, intent, target, o.amountReceived || o.amount || intent.amountMinor, data);
      }
    }
    return intent.version !== before ? 'applied' : 'no_effect:already_there';
  }

  private async moveForward(manager: EntityManager, intent: PaymentIntentEntity, to: S, captured: number, data: Record<string, unknown>) {
    if (!isForward(intent.status, to)) return;
    if (to === S.SUCCEEDED) {
      intent.amountCapturedMinor = Math.min(intent.amountMinor, Math.max(captured, intent.amountCapturedMinor));
      intent.lastPaymentError = null;
    }
    if (to !== S.REQUIRES_ACTION) intent.nextAction = null;
    else intent.nextAction ??= { type: 'three_d_secure', url: null };
    await transition(manager, intent, to, { failed: to === S.REQUIRES_PAYMENT_METHOD, data: { ...data, source: 'webhook' } });
  }

  private async markProcessed(manager: EntityManager, row: WebhookInboxEntity, outcome: string): Promise<void> {
    await manager.update(WebhookInboxEntity, { id: row.id }, { processedAt: new Date(), outcome });
  }
}
