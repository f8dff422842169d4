// Webhook endpoints in GraphQL: check the principal (admin, or a merchant key for its own
// merchant), map arguments, call the service.
import { idempotencyKeyOf, optionalId, requireKind } from '@handoff/shared';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { WebhookEndpointService } from './webhook-endpoint.service.js';
import {
  CreateWebhookEndpointInput,
  DeletedWebhookEndpointType,
  UpdateWebhookEndpointInput,
  WebhookEndpointType,
  WebhookEndpointWithSecretType,
  WebhookTestEventType,
} from './webhook-endpoint.type.js';

const withSecret = (r: { endpoint: Parameters<typeof WebhookEndpointType.from>[0]; secret: string }) =>
  Object.assign(new WebhookEndpointWithSecretType(), { endpoint: WebhookEndpointType.from(r.endpoint), secret: r.secret });

@Resolver(() => WebhookEndpointType)
export class WebhookEndpointResolver {
  constructor(private readonly service: WebhookEndpointService) {}

  @Mutation(() => WebhookEndpointWithSecretType, {
    description: 'Admin, or the merchant itself. Subscribes a URL to events; answers its signing secret, once. At most 16 endpoints per merchant (WEBHOOK_ENDPOINT_LIMIT_REACHED).',
  })
  async createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookEndpointWithSecretType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return withSecret(await this.service.create(principal, input, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @Mutation(() => WebhookEndpointType, { description: 'Admin, or the merchant that owns it: URL, events, description, enabled.' })
  async updateWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookEndpointType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return WebhookEndpointType.from(await this.service.update(principal, id, input));
  }

  @Mutation(() => DeletedWebhookEndpointType, { description: 'Admin, or the merchant that owns it. Its pending deliveries fail; nothing more is sent to it.' })
  async deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<DeletedWebhookEndpointType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    const e = await this.service.delete(principal, id);
    return Object.assign(new DeletedWebhookEndpointType(), { id: e.id, deleted: true });
  }

  @Mutation(() => WebhookEndpointWithSecretType, {
    description: 'Admin, or the merchant that owns it. A new signing secret, shown once; for 24 hours deliveries carry a signature with each (v1=<new>,v1=<old>).',
  })
  async rotateWebhookEndpointSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<WebhookEndpointWithSecretType> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return withSecret(await this.service.rotateSecret(principal, id));
  }

  @Mutation(() => [WebhookTestEventType], {
    description: 'Admin, or the merchant. A webhook_endpoint.test event to the endpoint named (it must be enabled), or to each enabled endpoint of the merchant.',
  })
  async sendTestWebhook(
    @Arg('endpointId', () => ID, { nullable: true }) endpointId: string | null,
    @Arg('merchantId', () => ID, { nullable: true, description: 'Without endpointId: whose endpoints (required for an admin).' }) merchantId: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookTestEventType[]> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return (await this.service.sendTest(principal, optionalId(endpointId, 'endpointId') ?? null, optionalId(merchantId, 'merchantId') ?? null, idempotencyKeyOf(ctx, idempotencyKey))).map(WebhookTestEventType.from);
  }

  @Query(() => [WebhookEndpointType], { description: 'Admin (naming the merchant), or a merchant key: its webhook endpoints, oldest first.' })
  async webhookEndpoints(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookEndpointType[]> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return (await this.service.list(principal, optionalId(merchantId, 'merchantId') ?? null)).map(WebhookEndpointType.from);
  }

  @Query(() => WebhookEndpointType, { nullable: true, description: 'Admin, or the merchant that owns it; null otherwise. Its deliveries are the delivery log.' })
  async webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<WebhookEndpointType | null> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    const e = await this.service.find(principal, id);
    return e && WebhookEndpointType.from(e);
  }
}
