// The delivery log and replays in GraphQL: WebhookEndpoint.deliveries, a delivery's event and
// attempts, replayWebhookDelivery and replayWebhookEvents. Admin, or the merchant itself.
import { mapPage, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { WebhookEndpointType } from '../webhook-endpoint/webhook-endpoint.type.js';
import type { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookDeliveryStatus } from './webhook-delivery.states.js';
import {
  WebhookDeliveryAttemptType,
  WebhookDeliveryConnection,
  WebhookDeliveryType,
  WebhookEventType,
  WebhookReplayType,
} from './webhook-delivery.type.js';

@Resolver(() => WebhookEndpointType)
export class WebhookEndpointDeliveriesResolver {
  constructor(private readonly service: WebhookDeliveryService) {}

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first.' })
  async deliveries(
    @Root() endpoint: WebhookEndpointType,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
  ): Promise<Page<WebhookDeliveryType>> {
    // The endpoint was read through webhookEndpoint(s), which checked the caller.
    return mapPage(await this.service.listForEndpoint(endpoint.id, { first, after, status }), WebhookDeliveryType.from);
  }
}

@Resolver(() => WebhookDeliveryType)
export class WebhookDeliveryResolver {
  constructor(private readonly service: WebhookDeliveryService) {}

  @FieldResolver(() => WebhookEventType)
  async event(@Root() delivery: WebhookDeliveryType): Promise<WebhookEventType> {
    const [event] = await this.service.events([delivery.eventId]);
    return WebhookEventType.from(event!);
  }

  @FieldResolver(() => [WebhookDeliveryAttemptType], { description: 'Every attempt, oldest first.' })
  async attempts(@Root() delivery: WebhookDeliveryType): Promise<WebhookDeliveryAttemptType[]> {
    return (await this.service.attempts(delivery.id)).map(WebhookDeliveryAttemptType.from);
  }

  @Mutation(() => WebhookDeliveryType, {
    description: 'Admin, or the merchant. Sends the delivery again now (same event id), then retries it as a new one for 3 days if it fails. Its endpoint must be enabled.',
  })
  async replayWebhookDelivery(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: MerchantContext): Promise<WebhookDeliveryType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return WebhookDeliveryType.from(await this.service.replayDelivery(principal, deliveryId));
  }

  @Mutation(() => WebhookReplayType, {
    description:
      'Admin, or the merchant. Sends the endpoint every event since `since` again now, oldest first (same event ids): its failed and pending deliveries, succeeded ones when includeSucceeded, and matching events it never got (while disabled). At most 10,000 per call.',
  })
  async replayWebhookEvents(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('since', () => Date) since: Date,
    @Arg('includeSucceeded', () => Boolean, { nullable: true, description: 'Defaults to false.' }) includeSucceeded: boolean | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookReplayType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return WebhookReplayType.from(await this.service.replayEvents(principal, endpointId, since, includeSucceeded ?? false));
  }
}
