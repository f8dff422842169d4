// A delivery's lifecycle. PENDING: an attempt is scheduled (next_attempt_at); SUCCEEDED: the
// endpoint answered 2xx; FAILED: the retry window ended without a 2xx, or the endpoint was
// disabled or deleted when its attempt came. A replay re-arms a finished delivery (→ PENDING:
// the same delivery and event id, an attempt now); a failed attempt with time left in the
// window keeps it PENDING.
import { stateTable } from '@handoff/shared';

export const WebhookDeliveryStatus = {
  PENDING: 'PENDING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
} as const;
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatus)[keyof typeof WebhookDeliveryStatus];

export const deliveryStates = stateTable<WebhookDeliveryStatus>('webhook_delivery', {
  PENDING: ['PENDING', 'SUCCEEDED', 'FAILED'],
  SUCCEEDED: ['PENDING'],
  FAILED: ['PENDING'],
});
