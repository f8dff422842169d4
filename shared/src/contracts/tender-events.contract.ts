// The `tender.*` channel, checkout-session → conversion-ledger (issue 20 item 3): gift cards and
// store credit are liabilities in the double-entry books. checkout-session keeps each card's and
// each customer's operational balance and the holds a checkout session takes on them; in the
// transaction that changes a liability it writes one `tender.<kind>.<move>` outbox row, routed to
// the queue `ledger-tender-events`, and the ledger posts it once (unique per outbox row):
//   issued   (a card issued, store credit granted): debit tender_issued, credit <kind>_liability
//   redeemed (a hold captured by a paid checkout):   debit <kind>_liability, credit tender_redeemed
//   restored (a captured hold given back by a finalization rollback): debit tender_redeemed,
//            credit <kind>_liability (the redemption reversed: the card or credit owes it again)
// A hold (and its release) moves no liability: nothing is spent until it is captured.
// Written once here: checkout-session builds TenderEventPayload (tender/tender.events.ts), the
// ledger's worker reads it (books/tender-postings.ts).

/** The queue conversion-ledger consumes (docs/internal-contracts.md). */
export const LEDGER_TENDER_EVENTS_QUEUE = 'ledger-tender-events';

export const TENDER_TOPIC_PREFIX = 'tender.';
export const TENDER_TOPIC_PATTERN = `${TENDER_TOPIC_PREFIX}*`;

export type TenderKind = 'gift_card' | 'store_credit';
export type TenderMove = 'issued' | 'redeemed' | 'restored';

export const tenderTopic = (kind: TenderKind, move: TenderMove): string => `${TENDER_TOPIC_PREFIX}${kind}.${move}`;

/** The payload of every `tender.<kind>.<move>` event. */
export interface TenderEventPayload {
  kind: TenderKind;
  move: TenderMove;
  merchantId: string;
  /** Upper-case ISO 4217. */
  currency: string;
  /** > 0, minor units. */
  amountMinor: number;
  /** The gift card's id, or the store-credit customer id. */
  instrumentId: string;
  /** The capturing (redeemed) or rolled-back (restored) checkout session, null for an issue or grant. */
  checkoutSessionId: string | null;
  /** ISO 8601. */
  occurredAt: string;
}

/** The payload of a `tender.*` topic, or null when it is not one (a malformed row is refused, never half-posted). */
export function readTenderEvent(topic: string, payload: unknown): TenderEventPayload | null {
  if (!topic.startsWith(TENDER_TOPIC_PREFIX) || !payload || typeof payload !== 'object') return null;
  const p = payload as Partial<TenderEventPayload>;
  const okKind = p.kind === 'gift_card' || p.kind === 'store_credit';
  const okMove = p.move === 'issued' || p.move === 'redeemed' || p.move === 'restored';
  if (!okKind || !okMove || topic !== tenderTopic(p.kind!, p.move!)) return null;
  if (typeof p.merchantId !== 'string' || typeof p.instrumentId !== 'string' || typeof p.currency !== 'string' || !/^[A-Z]{3}$/.test(p.currency)) return null;
  if (typeof p.amountMinor !== 'number' || !Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0) return null;
  return {
    kind: p.kind!,
    move: p.move!,
    merchantId: p.merchantId,
    currency: p.currency,
    amountMinor: p.amountMinor,
    instrumentId: p.instrumentId,
    checkoutSessionId: typeof p.checkoutSessionId === 'string' ? p.checkoutSessionId : null,
    occurredAt: typeof p.occurredAt === 'string' ? p.occurredAt : new Date().toISOString(),
  };
}
