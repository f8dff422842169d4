// A verified PSP event (Stripe's shape; the sandbox sends the same) read into what Handoff
// acts on: its kind, the PSP payment it is about, and the PSP's object as reported, in the
// shape of docs/internal-contracts.md's `psp_event.*` payload. Pure: no database.

import type { PspEventKind, PspEventObject } from '@handoff/shared';

export type { PspEventKind };

/** API.md's handled event types; every other type is recorded and has no effect. */
export const KIND_OF_TYPE: Readonly<Record<string, PspEventKind>> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_succeeded': 'succeeded',
  payment_succeeded: 'succeeded',
  'payment_intent.processing': 'processing',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
  'payment_intent.requires_action': 'requires_action',
  'charge.refunded': 'refunded',
  'refund.succeeded': 'refunded',
  'charge.dispute.created': 'dispute_opened',
  'dispute.opened': 'dispute_opened',
  'charge.dispute.closed': 'dispute_closed',
  'dispute.closed': 'dispute_closed',
};

/** The PSP's object as the `psp_event.*` contract carries it (shared/src/contracts/payment-events.contract.ts). */
export type PspObject = PspEventObject;

export interface PspEvent {
  id: string;
  type: string;
  created: number;
  kind: PspEventKind;
  object: PspObject;
}

export class InvalidPspEvent extends Error {}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
/** An id field that Stripe may expand into the object itself. */
const idOf = (v: unknown): string | null => str(v) ?? str(obj(v)?.id);

const refundOf = (r: Json): { id: string; amount: number; status?: string } => {
  const status = str(r.status);
  return { id: str(r.id) ?? '', amount: int(r.amount) ?? 0, ...(status ? { status } : {}) };
};

/** Stripe's events about a refund's later status (a pending refund that succeeded or failed). */
export const REFUND_UPDATE_TYPES: ReadonlySet<string> = new Set(['refund.updated', 'refund.failed', 'charge.refund.updated']);

/** Reads a parsed, verified body. Throws InvalidPspEvent when it is not an event at all. */
export function readPspEvent(body: unknown): PspEvent {
  const event = obj(body);
  const id = str(event?.id);
  const type = str(event?.type);
  const object = obj(obj(event?.data)?.object);
  if (!event || !id || !type || !object || id.length > 255 || type.length > 255) throw new InvalidPspEvent('not a PSP event');
  return { id, type, created: int(event.created) ?? 0, kind: KIND_OF_TYPE[type] ?? 'other', object: readObject(object) };
}

function readObject(o: Json): PspObject {
  const kind = str(o.object);
  const metadata = Object.fromEntries(Object.entries(obj(o.metadata) ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const base = {
    amount: int(o.amount),
    currency: str(o.currency)?.toUpperCase() ?? null,
    status: str(o.status),
    metadata,
  };
  switch (kind) {
    case 'charge': {
      const refunds = (obj(o.refunds)?.data as unknown[] | undefined) ?? [];
      const latest = obj(refunds[0]);
      return {
        ...base,
        id: idOf(o.payment_intent),
        amountReceived: int(o.amount_captured) ?? undefined,
        amountRefunded: int(o.amount_refunded) ?? undefined,
        ...(latest && str(latest.id) && int(latest.amount) !== null ? { refund: refundOf(latest) } : {}),
      };
    }
    case 'refund':
      return { ...base, id: idOf(o.payment_intent), refund: refundOf(o) };
    case 'dispute': {
      const status = str(o.status) ?? 'needs_response';
      const outcome = status === 'won' || status === 'lost' ? status : undefined;
      return { ...base, id: idOf(o.payment_intent), dispute: { id: str(o.id) ?? '', status, ...(outcome ? { outcome } : {}) } };
    }
    default: {
      // payment_intent (and the sandbox's payment objects)
      const error = obj(o.last_payment_error);
      return {
        ...base,
        id: str(o.id),
        amountReceived: int(o.amount_received) ?? undefined,
        ...(idOf(o.payment_method) ? { paymentMethod: idOf(o.payment_method)! } : {}),
        ...(error
          ? { lastPaymentError: { code: str(error.code) ?? 'payment_failed', declineCode: str(error.decline_code), message: str(error.message) ?? 'The payment failed.' } }
          : {}),
      };
    }
  }
}
