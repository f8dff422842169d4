// The GraphQL face of a webhook endpoint (never its secret, but once in a create or rotate answer).
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import type { SentTestEvent } from './webhook-endpoint.service.js';

export enum WebhookEndpointDisabledReason {
  MANUAL = 'MANUAL',
  FAILING = 'FAILING',
}
registerEnumType(WebhookEndpointDisabledReason, {
  name: 'WebhookEndpointDisabledReason',
  description: 'MANUAL: disabled by the merchant (or deleted); FAILING: disabled by Handoff after every delivery failed for 5 days.',
});

@ObjectType('WebhookEndpoint')
export class WebhookEndpointType {
  @Field(() => ID) id: string;
  @Field(() => ID) merchantId: string;
  @Field() url: string;
  @Field(() => [String], { description: 'Event types delivered here (docs/api.md, "Outbound webhooks"), or ["*"] for all.' }) events: string[];
  @Field(() => String, { nullable: true }) description: string | null;
  @Field({ description: 'Only enabled endpoints get events; a delivery due while disabled is not attempted (it FAILS).' }) enabled: boolean;
  @Field(() => WebhookEndpointDisabledReason, { nullable: true }) disabledReason: WebhookEndpointDisabledReason | null;
  @Field(() => Date, { nullable: true, description: 'Since when every delivery has failed; null after a success. 5 days of it disable the endpoint.' })
  failingSince: Date | null;
  @Field(() => Date, { nullable: true, description: 'After a rotation: until when the previous secret still signs (a second v1).' })
  previousSecretExpiresAt: Date | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: WebhookEndpointEntity): WebhookEndpointType {
    return Object.assign(new WebhookEndpointType(), {
      id: e.id,
      merchantId: e.merchantId,
      url: e.url,
      events: [...e.events],
      description: e.description,
      enabled: e.enabled,
      disabledReason: e.disabledReason as WebhookEndpointDisabledReason | null,
      failingSince: e.failingSince,
      previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? e.previousSecretExpiresAt : null,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('WebhookEndpointWithSecret', { description: 'The endpoint and its signing secret, shown this once.' })
export class WebhookEndpointWithSecretType {
  @Field(() => WebhookEndpointType) endpoint: WebhookEndpointType;
  @Field({ description: 'whsec_… (or the secret given): verify each delivery\'s Handoff-Signature with it. Not shown again.' }) secret: string;
}

@ObjectType('DeletedWebhookEndpoint')
export class DeletedWebhookEndpointType {
  @Field(() => ID) id: string;
  @Field() deleted: boolean;
}

@ObjectType('WebhookTestEvent', { description: 'A webhook_endpoint.test event on its way to one endpoint.' })
export class WebhookTestEventType {
  @Field(() => ID, { description: 'The event id the endpoint will receive (its body\'s id and Handoff-Event-Id).' }) eventId: string;
  @Field(() => ID) endpointId: string;

  static from(s: SentTestEvent): WebhookTestEventType {
    return Object.assign(new WebhookTestEventType(), s);
  }
}

@InputType('CreateWebhookEndpointInput')
export class CreateWebhookEndpointInput {
  @Field(() => ID, { nullable: true, description: 'Required for an admin; a merchant key creates for its own merchant.' }) merchantId?: string | null;
  @Field({ description: 'https (http only where private URLs are allowed), at most 2048 characters, no user:password; a private, loopback or link-local host is WEBHOOK_URL_NOT_ALLOWED.' })
  url: string;
  @Field(() => [String], { description: 'Event types, or "*" for all; an unknown name is BAD_USER_INPUT naming it.' }) events: string[];
  @Field(() => String, { nullable: true, description: 'At most 500 characters.' }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Defaults to true.' }) enabled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'A signing secret of your own (32 to 256 printable ASCII characters, no spaces); Handoff makes a whsec_… one otherwise.' })
  secret?: string | null;
}

@InputType('UpdateWebhookEndpointInput', { description: 'Only the fields given change; description null clears it.' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [String], { nullable: true }) events?: string[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true enables again (an automatic disabling\'s failure streak starts over).' }) enabled?: boolean | null;
}
