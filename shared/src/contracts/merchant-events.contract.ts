// The merchant subgraph's events other packages listen to (pub/sub only, no queue): written once
// here, announced by the merchant subgraph (events.ts), heard by payment-intent (a changed PSP
// connector drops its remembered credentials) and the gateway (a revoked key closes its sockets).

/** `changed` names what changed; `paymentConnector` among it → payment-intent forgets the merchant's credentials. */
export const MERCHANT_UPDATED_TOPIC = 'merchant.updated';
/** The merchant's id is the event's aggregateId. */
export interface MerchantUpdatedPayload {
  changed: string[];
  [field: string]: unknown;
}

export const API_KEY_REVOKED_TOPIC = 'api_key.revoked';
export interface ApiKeyRevokedPayload {
  keyHash: string;
  keyId: string;
  [field: string]: unknown;
}
