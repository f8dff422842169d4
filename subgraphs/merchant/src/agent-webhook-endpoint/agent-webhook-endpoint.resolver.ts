// An agent's webhook endpoints in GraphQL: an AGENT key, for its own endpoints only. Thin: check
// the principal, map arguments, call the service. The delivery log is the endpoint's `deliveries`.
import { idempotencyKeyOf, mapPage, optionalId, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { WebhookDeliveryStatus } from '../webhook-delivery/webhook-delivery.states.js';
import type { WebhookDeliveryService } from '../webhook-delivery/webhook-delivery.service.js';
import { WebhookDeliveryConnection, WebhookDeliveryType } from '../webhook-delivery/webhook-delivery.type.js';
import { DeletedWebhookEndpointType, UpdateWebhookEndpointInput, WebhookTestEventType } from '../webhook-endpoint/webhook-endpoint.type.js';
import type { AgentWebhookEndpointService } from './agent-webhook-endpoint.service.js';
import { AgentWebhookEndpointType, AgentWebhookEndpointWithSecretType, CreateAgentWebhookEndpointInput } from './agent-webhook-endpoint.type.js';

@Resolver(() => AgentWebhookEndpointType)
export class AgentWebhookEndpointResolver {
  constructor(
    private readonly service: AgentWebhookEndpointService,
    private readonly deliveriesService: WebhookDeliveryService,
  ) {}

  @Mutation(() => AgentWebhookEndpointWithSecretType, {
    description: "Agent key: subscribes a URL to events about the agent's checkout sessions; answers its signing secret, once. At most 16 per agent (WEBHOOK_ENDPOINT_LIMIT_REACHED).",
  })
  async createAgentWebhookEndpoint(
    @Arg('input', () => CreateAgentWebhookEndpointInput) input: CreateAgentWebhookEndpointInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<AgentWebhookEndpointWithSecretType> {
    const principal = requireKind(ctx.principal, 'AGENT');
    const r = await this.service.create(principal, input, idempotencyKeyOf(ctx, idempotencyKey));
    return Object.assign(new AgentWebhookEndpointWithSecretType(), { endpoint: AgentWebhookEndpointType.from(r.endpoint), secret: r.secret });
  }

  @Mutation(() => AgentWebhookEndpointType, { description: 'Agent key, for its own endpoint: URL, events, description, enabled.' })
  async updateAgentWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<AgentWebhookEndpointType> {
    const principal = requireKind(ctx.principal, 'AGENT');
    return AgentWebhookEndpointType.from(await this.service.update(principal, id, input));
  }

  @Mutation(() => DeletedWebhookEndpointType, { description: 'Agent key, for its own endpoint. Its pending deliveries fail; nothing more is sent to it.' })
  async deleteAgentWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<DeletedWebhookEndpointType> {
    const principal = requireKind(ctx.principal, 'AGENT');
    const e = await this.service.delete(principal, id);
    return Object.assign(new DeletedWebhookEndpointType(), { id: e.id, deleted: true });
  }

  @Mutation(() => [WebhookTestEventType], {
    description: 'Agent key: a webhook_endpoint.test event to its endpoint named (it must be enabled: else WEBHOOK_ENDPOINT_DISABLED), or to each of its enabled endpoints. Another id is NOT_FOUND.',
  })
  async sendAgentTestWebhook(
    @Arg('endpointId', () => ID, { nullable: true }) endpointId: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<WebhookTestEventType[]> {
    const principal = requireKind(ctx.principal, 'AGENT');
    return (await this.service.sendTest(principal, optionalId(endpointId, 'endpointId') ?? null, idempotencyKeyOf(ctx, idempotencyKey))).map(WebhookTestEventType.from);
  }

  @Mutation(() => WebhookDeliveryType, {
    description: "Agent key, for a delivery to its own endpoint (another is NOT_FOUND). Sends it again now (same event id), then retries it for 3 days if it fails. Its endpoint must be enabled.",
  })
  async replayAgentWebhookDelivery(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: MerchantContext): Promise<WebhookDeliveryType> {
    const principal = requireKind(ctx.principal, 'AGENT');
    return WebhookDeliveryType.from(await this.deliveriesService.replayDelivery(principal, deliveryId));
  }

  @Query(() => [AgentWebhookEndpointType], { description: "Agent key: its webhook endpoints, oldest first." })
  async agentWebhookEndpoints(@Ctx() ctx: MerchantContext): Promise<AgentWebhookEndpointType[]> {
    const principal = requireKind(ctx.principal, 'AGENT');
    return (await this.service.list(principal)).map(AgentWebhookEndpointType.from);
  }

  @Query(() => AgentWebhookEndpointType, { nullable: true, description: "Agent key: its endpoint; null for any other id. Its deliveries are the delivery log." })
  async agentWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<AgentWebhookEndpointType | null> {
    const principal = requireKind(ctx.principal, 'AGENT');
    const e = await this.service.find(principal, id);
    return e && AgentWebhookEndpointType.from(e);
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first.' })
  async deliveries(
    @Root() endpoint: AgentWebhookEndpointType,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
  ): Promise<Page<WebhookDeliveryType>> {
    // The endpoint was read through agentWebhookEndpoint(s), which checked the caller.
    return mapPage(await this.deliveriesService.listForEndpoint(endpoint.id, { first, after, status }), WebhookDeliveryType.from);
  }
}
