// The GraphQL face of a checkout session's timeline: CheckoutSession.timeline(first, after).
import { ActorType, Connection } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('CheckoutTimelineEntry', { description: 'One thing that happened to a checkout session (seed 003 §16), oldest first.' })
export class CheckoutTimelineEntry {
  @Field(() => ID) id: string;
  @Field(() => Date, { description: 'When it happened.' }) at: Date;
  @Field({
    description:
      'What happened, `area.event`: checkout.created, checkout.calculated, checkout.shipping_address_set, checkout.promotion_applied, checkout.payment_committed, checkout.completed, checkout.canceled, checkout.expired, payment.created, payment.confirm_attempted, payment.requires_action, payment.failed, payment.succeeded, payment.captured, payment.refunded, payment.canceled, webhook.sent, webhook.failed, …',
  })
  kind: string;
  @Field({ description: 'One line a person reads.' }) summary: string;
  @Field(() => ActorType, { nullable: true, description: 'Who did it.' }) actor: ActorType | null;
  @Field(() => GraphQLJSON, { description: 'The facts, in snake_case (ids, amounts in minor units, decline codes).' }) data: Record<string, unknown>;
}

export const CheckoutTimelineConnection = Connection('CheckoutTimeline', CheckoutTimelineEntry);
