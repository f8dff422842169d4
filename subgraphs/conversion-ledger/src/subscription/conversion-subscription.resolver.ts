// Declares `Subscription.conversionUpdated` so it composes into the graph, and the internal
// replay query behind its `after` argument. The gateway serves the subscription
// (gateway/src/subscriptions) from `conversion.updated` events on Redis pub/sub, resolving each
// as a `conversion(id)` query for the subscriber; a resume first reads conversionEventsAfter.
import type { SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Query, Resolver, Subscription } from 'type-graphql';
import { Conversion } from '../conversion/conversion.type.js';
import { ConversionEventsService, type ConversionEventRow } from './conversion-events.service.js';

const servedByGateway = (): AsyncIterable<never> => {
  throw new Error('conversionUpdated is served by the gateway.');
};

@ObjectType('ConversionEvent', { description: 'Internal (gateway subscriptions): one conversion.updated event.' })
@Directive('@inaccessible')
export class ConversionEventType {
  @Field(() => String) cursor: string;
  @Field(() => ID) conversionId: string;
  @Field(() => ID) merchantId: string;
  @Field(() => ID, { nullable: true }) agentId: string | null;
  @Field(() => String) status: string;
  @Field(() => Int, { nullable: true }) version: number | null;
}

@Resolver()
export class ConversionSubscriptionResolver {
  constructor(private readonly events: ConversionEventsService) {}

  @Subscription(() => Conversion, {
    subscribe: servedByGateway,
    description:
      "Every change of the conversions the caller may see (a merchant: its own; an agent: those it earned), optionally " +
      "one merchant's. `after: <cursor>` first replays the events after that cursor, then goes live, with no gap and no " +
      'duplicate. Each event carries its cursor in extensions.cursor; `status` is the status the event announced.',
  })
  conversionUpdated(
    @Arg('merchantId', () => ID, { nullable: true }) _merchantId: string | null,
    @Arg('after', () => String, { nullable: true }) _after: string | null,
  ): Conversion {
    throw new Error('conversionUpdated is served by the gateway.');
  }

  @Query(() => String, { description: 'Internal (gateway): the highest conversion.updated cursor committed now, or "0".' })
  @Directive('@inaccessible')
  conversionEventsHead(@Ctx() ctx: SubgraphContext): Promise<string> {
    return this.events.head(ctx.principal);
  }

  @Query(() => [ConversionEventType], { description: 'Internal (gateway): conversion.updated events after a cursor, oldest first, in the caller\'s scope.' })
  @Directive('@inaccessible')
  conversionEventsAfter(
    @Arg('after', () => String) after: string,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('limit', () => Int, { nullable: true }) limit: number | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ConversionEventRow[]> {
    return this.events.after(ctx.principal, { after, merchantId, limit });
  }
}
