// CheckoutSession.timeline(first, after): the merchant's (or an admin's) view of everything that
// happened to a session it may see (the parent was read through the caller's scope).
import { ActorType, mapPage, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { TimelineService } from './timeline.service.js';
import { CheckoutTimelineConnection, CheckoutTimelineEntry } from './timeline.type.js';

@Resolver(() => CheckoutSession)
export class TimelineResolver {
  constructor(private readonly entries: TimelineService) {}

  @FieldResolver(() => CheckoutTimelineConnection, {
    description: "Everything that happened to the session, oldest first: calculations, buyer changes, payment attempts (with decline codes), 3-D Secure, completion, webhooks sent. Merchant (its own sessions) or admin.",
  })
  async timeline(
    @Root() session: CheckoutSessionEntity,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<CheckoutTimelineEntry>> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const page = await this.entries.page(session.id, { first, after });
    return mapPage(page, (e) => Object.assign(new CheckoutTimelineEntry(), { ...e, actor: e.actor ? ActorType.of(e.actor) : null }));
  }
}
