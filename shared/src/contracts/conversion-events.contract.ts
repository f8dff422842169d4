// The `conversion.updated` channel, conversion-ledger → the gateway's subscriptions (pub/sub
// only): written in the transaction of every change of a conversion, with a cursor assigned in
// commit order. Written once here: the ledger builds the payload (conversion.events.ts, in SQL),
// the gateway's event bus reads it (subscriptions/event-bus.ts).

export const CONVERSION_UPDATED_TOPIC = 'conversion.updated';

/** The fields of `payload.conversion` a consumer may rely on (the ledger adds its other columns). */
export interface ConversionUpdatedPayload {
  conversion: { id: string; status: string; merchantId: string; agentId: string | null; [field: string]: unknown };
  /** The ledger's conversion event sequence value, as a decimal string. */
  cursor: string;
}
