// The `psp_event.*` channel, payment-intent → conversion-ledger: once per verified PSP webhook
// event (after its inbox row is processed), payment-intent writes `psp_event.<kind>` with what
// the PSP reported (signed by the PSP) and Handoff's own record of the payment's intent. The
// kinds in LEDGER_PSP_EVENT_KINDS are routed to the queue `ledger-payment-events`; the others
// stay in the outbox as the record. Written once here: payment-intent builds PspEventPayload
// (webhooks/apply-psp-event.ts, pspEventPayload), the ledger's worker reads it.
import type { OutboxJobData } from '../outbox/outbox.js';
import type { PaymentIntentRecord } from './payment-intent-events.contract.js';

/** The queue conversion-ledger consumes (docs/internal-contracts.md). */
export const LEDGER_PAYMENT_EVENTS_QUEUE = 'ledger-payment-events';

export type PspEventKind =
  | 'succeeded'
  | 'processing'
  | 'failed'
  | 'canceled'
  | 'requires_action'
  | 'refunded'
  | 'dispute_opened'
  | 'dispute_closed'
  | 'other';

export const PSP_EVENT_TOPIC_PREFIX = 'psp_event.';
export const pspEventTopic = <K extends PspEventKind>(kind: K): `psp_event.${K}` => `psp_event.${kind}`;
/** The kind of a `psp_event.<kind>` topic, or null for any other topic. */
export const pspEventKindOf = (topic: string): PspEventKind | null =>
  topic.startsWith(PSP_EVENT_TOPIC_PREFIX) ? (topic.slice(PSP_EVENT_TOPIC_PREFIX.length) as PspEventKind) : null;

/** The kinds the ledger acts on (verified conversions, clawbacks, disputes): the only ones queued. */
export const LEDGER_PSP_EVENT_KINDS = ['succeeded', 'refunded', 'dispute_opened', 'dispute_closed'] as const satisfies readonly PspEventKind[];

/** The PSP's object as reported (not Handoff's copy). Fields the PSP left out are null. */
export interface PspEventObject {
  /** The PSP's payment id (a payment intent's own id, or the one a charge/refund/dispute names). */
  id: string | null;
  amount: number | null;
  /** Upper-case ISO 4217. */
  currency: string | null;
  status: string | null;
  metadata: Record<string, string>;
  amountReceived?: number;
  amountRefunded?: number;
  /** The refund the event is about (a charge's latest); `status` as the PSP gave it. */
  refund?: { id: string; amount: number; status?: string };
  dispute?: { id: string; status: string; outcome?: 'won' | 'lost' };
  lastPaymentError?: { code: string; declineCode: string | null; message: string };
  /** A payment intent's payment method (the attempt the event is about), when the PSP names it. */
  paymentMethod?: string;
}

export interface PspEventPayload {
  /** The provider's name as payment-intent records it (`stripe`, `sandbox`). */
  provider: string;
  /** The merchant whose webhook secret verified the event. */
  merchantId: string;
  pspEvent: { id: string; type: string; created: number };
  object: PspEventObject;
  /** Handoff's own record of the payment's intent; null when no intent of Handoff's is that payment. */
  paymentIntent: PaymentIntentRecord | null;
}

/** A `psp_event.<kind>` job on `ledger-payment-events`, as the outbox relay enqueues it. */
export type PspEventJob = OutboxJobData & { payload: PspEventPayload & Record<string, unknown> };
