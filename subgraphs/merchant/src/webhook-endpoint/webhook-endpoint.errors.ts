// Expected failures about webhook endpoints and their deliveries, with stable codes.
import { ErrorCode, HandoffError, invalidStateTransition, notFound } from '@handoff/shared';

export const webhookEndpointNotFound = (id: string) => notFound(ErrorCode.NOT_FOUND, `Webhook endpoint ${id} was not found.`);
export const webhookDeliveryNotFound = (id: string) => notFound(ErrorCode.NOT_FOUND, `Webhook delivery ${id} was not found.`);

/** `field` is an extension only: the message is the same on GraphQL and the REST routes. */
export const webhookUrlNotAllowed = (field: string, why: string) =>
  new HandoffError(
    ErrorCode.WEBHOOK_URL_NOT_ALLOWED,
    `${why} Webhook endpoints must be public: private, loopback and link-local addresses are refused.`,
    { field, reason: 'webhook_url:not_public' },
  );

export const webhookEndpointLimitReached = (max: number) =>
  new HandoffError(ErrorCode.WEBHOOK_ENDPOINT_LIMIT_REACHED, `A merchant may have at most ${max} webhook endpoints: delete one first.`);

export const webhookEndpointDisabled = (id: string) =>
  invalidStateTransition(`Webhook endpoint ${id} is disabled: enable it (updateWebhookEndpoint) before sending to it.`, 'webhook_endpoint:disabled');
