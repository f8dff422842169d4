// The `psp_event.<kind>` jobs on `ledger-payment-events` (kinds succeeded, refunded, dispute_*;
// docs/internal-contracts.md): outbox job data from payment-intent whose payload is what the PSP
// reported, signed by the PSP.
import type { OutboxJobData } from '@handoff/shared';

export const LEDGER_PAYMENT_EVENTS_QUEUE = 'ledger-payment-events';

export type PspEventKind =
  | 'succeeded' | 'processing' | 'failed' | 'canceled' | 'requires_action'
  | 'refunded' | 'dispute_opened' | 'dispute_closed' | 'other';

export interface PspObject {
  id: string;
  amount: number;
  currency: string;
  status: string;
  metadata: Record<string, string | undefined> | null;
  amountRefunded?: number;
  refund?: { id: string; amount: number };
  dispute?: { id: string; status: string; outcome?: 'won' | 'lost' };
}

export interface PspEventPayload {
  provider: string;
  merchantId: string;
  pspEvent: { id: string; type: string; created: number };
  object: PspObject;
  paymentIntent: { id: string; checkoutSessionId?: string | null; [k: string]: unknown } | null;
}

export type PspEventJob = OutboxJobData & { payload: PspEventPayload & Record<string, unknown> };

export const pspKind = (topic: string): PspEventKind | null =>
  topic.startsWith('psp_event.') ? (topic.slice('psp_event.'.length) as PspEventKind) : null;

/** One conversion per payment: the PSP's own payment id, per provider. */
export const paymentKey = (p: PspEventPayload): string => `${p.provider}:${p.object.id}`;

/** True when the payment carries any attribution metadata (an agent checkout, not a plain merchant checkout). */
export const isAttributed = (o: PspObject): boolean => Object.keys(o.metadata ?? {}).some((k) => k.startsWith('aap_'));
