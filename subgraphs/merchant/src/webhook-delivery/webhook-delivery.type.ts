// The GraphQL face of an endpoint's delivery log: deliveries, their attempts, the event sent.
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '@handoff/shared';
import type { WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookEventEntity } from './webhook-delivery.entity.js';
import type { ReplayResult } from './webhook-delivery.service.js';
import { WebhookDeliveryStatus } from './webhook-delivery.states.js';

registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: an attempt is scheduled; SUCCEEDED: the endpoint answered 2xx; FAILED: no 2xx within 3 days, or the endpoint was disabled or deleted.',
});

@ObjectType('WebhookEvent')
export class WebhookEventType {
  @Field(() => ID, { description: 'evt_…: the same on every attempt and replay; receivers dedupe on it.' }) id: string;
  @Field() type: string;
  @Field({ description: 'When the change happened.' }) created: Date;
  @Field({ description: 'The JSON body, byte for byte as delivered (and signed).' }) body: string;

  static from(e: WebhookEventEntity): WebhookEventType {
    return Object.assign(new WebhookEventType(), { id: e.id, type: e.type, created: e.created, body: JSON.stringify(e.payload) });
  }
}

@ObjectType('WebhookDeliveryAttempt')
export class WebhookDeliveryAttemptType {
  @Field() attemptedAt: Date;
  @Field() succeeded: boolean;
  @Field(() => Int, { nullable: true, description: 'The answer\'s HTTP status, when one came.' }) statusCode: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why no answer counted: timeout, connection_refused, connection_reset, dns_failure, tls_error, blocked_private_address, redirect_not_followed, invalid_url, connection_error.',
  })
  error: string | null;
  @Field(() => Int) latencyMs: number;
  @Field(() => String, { nullable: true, description: 'The first 1 KiB of the answer.' }) responseExcerpt: string | null;

  static from(a: WebhookDeliveryAttemptEntity): WebhookDeliveryAttemptType {
    return Object.assign(new WebhookDeliveryAttemptType(), {
      attemptedAt: a.attemptedAt,
      succeeded: a.succeeded,
      statusCode: a.statusCode,
      error: a.error,
      latencyMs: a.latencyMs,
      responseExcerpt: a.responseExcerpt,
    });
  }
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryType {
  @Field(() => ID) id: string;
  @Field(() => ID) endpointId: string;
  @Field(() => ID) eventId: string;
  @Field(() => WebhookDeliveryStatus) status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts made so far.' }) attemptCount: number;
  @Field(() => Date, { nullable: true }) nextAttemptAt: Date | null;
  @Field(() => Date, { nullable: true }) lastAttemptAt: Date | null;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true, description: 'The last failure: an attempt error, http_<status>, endpoint_disabled or endpoint_deleted.' })
  lastError: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;

  static from(d: WebhookDeliveryEntity): WebhookDeliveryType {
    return Object.assign(new WebhookDeliveryType(), {
      id: d.id,
      endpointId: d.endpointId,
      eventId: d.eventId,
      status: d.status,
      attemptCount: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastAttemptAt: d.lastAttemptAt,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      createdAt: d.createdAt,
      completedAt: d.completedAt,
    });
  }
}

export const WebhookDeliveryConnection = Connection('WebhookDelivery', WebhookDeliveryType);

@ObjectType('WebhookReplay')
export class WebhookReplayType {
  @Field(() => ID) endpointId: string;
  @Field() since: Date;
  @Field(() => Int, { description: 'Deliveries re-armed or created, each attempted now.' }) deliveries: number;
  @Field(() => Date, { nullable: true, description: 'More events were left (one call replays at most 10,000): call again with since = nextSince.' })
  nextSince: Date | null;

  static from(r: ReplayResult): WebhookReplayType {
    return Object.assign(new WebhookReplayType(), r);
  }
}
