// The GraphQL face of an agent's webhook endpoint (never its secret, but once in the create answer).
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { WebhookEndpointEntity } from '../webhook-endpoint/webhook-endpoint.entity.js';
import { WebhookEndpointDisabledReason } from '../webhook-endpoint/webhook-endpoint.type.js';

@ObjectType('AgentWebhookEndpoint', { description: "An agent's webhook endpoint: events about the checkout sessions it created (docs/acp.md, \"Agent webhooks\")." })
export class AgentWebhookEndpointType {
  @Field(() => ID) id: string;
  @Field(() => ID) agentId: string;
  @Field() url: string;
  @Field(() => [String], { description: 'checkout.completed, payment.failed, conversion.verified, order_create, order_update, or ["*"] for all.' }) events: string[];
  @Field(() => String, { nullable: true }) description: string | null;
  @Field({ description: 'Only enabled endpoints get events; a delivery due while disabled is not attempted (it FAILS).' }) enabled: boolean;
  @Field(() => WebhookEndpointDisabledReason, { nullable: true }) disabledReason: WebhookEndpointDisabledReason | null;
  @Field(() => Date, { nullable: true, description: 'Since when every delivery has failed; null after a success. 5 days of it disable the endpoint.' })
  failingSince: Date | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: WebhookEndpointEntity): AgentWebhookEndpointType {
    return Object.assign(new AgentWebhookEndpointType(), {
      id: e.id,
      agentId: e.agentId!,
      url: e.url,
      events: [...e.events],
      description: e.description,
      enabled: e.enabled,
      disabledReason: e.disabledReason as WebhookEndpointDisabledReason | null,
      failingSince: e.failingSince,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('AgentWebhookEndpointWithSecret', { description: 'The endpoint and its signing secret, shown this once.' })
export class AgentWebhookEndpointWithSecretType {
  @Field(() => AgentWebhookEndpointType) endpoint: AgentWebhookEndpointType;
  @Field({ description: "whsec_… (or the secret given): verify each delivery's Handoff-Signature (and an ACP order event's Merchant-Signature) with it. Not shown again." })
  secret: string;
}

@InputType('CreateAgentWebhookEndpointInput')
export class CreateAgentWebhookEndpointInput {
  @Field({ description: 'https (http only where private URLs are allowed), at most 2048 characters, no user:password; a private, loopback or link-local host is WEBHOOK_URL_NOT_ALLOWED.' })
  url: string;
  @Field(() => [String], { description: 'checkout.completed, payment.failed, conversion.verified, order_create, order_update, or "*"; another name is BAD_USER_INPUT naming it.' })
  events: string[];
  @Field(() => String, { nullable: true, description: 'At most 500 characters.' }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Defaults to true.' }) enabled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'A signing secret of your own (32 to 256 printable ASCII characters, no spaces); Handoff makes a whsec_… one otherwise.' })
  secret?: string | null;
}
