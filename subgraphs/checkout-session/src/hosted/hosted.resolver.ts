// Seed 003 §12 in GraphQL: createCheckoutHostedLink, createCheckoutEmbedToken, checkoutHostedStatus.
// Merchant key for its own sessions, admin for any. Check the principal, map arguments, call the service.
import { requireKind } from '@handoff/shared';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { requiredId } from '../input.js';
import type { HostedCheckoutService } from './hosted.service.js';
import { CheckoutEmbedToken, CheckoutHostedLink, CheckoutHostedStatus } from './hosted.type.js';

@Resolver()
export class HostedCheckoutResolver {
  constructor(private readonly hosted: HostedCheckoutService) {}

  @Mutation(() => CheckoutHostedLink, { description: 'A hosted checkout URL for an OPEN session, valid ttlSeconds (60-86400, default 3600; never past the session\'s expiry).' })
  async createCheckoutHostedLink(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('ttlSeconds', () => Int, { nullable: true }) ttlSeconds: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutHostedLink> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const { link, url } = await this.hosted.createHostedLink(ctx.principal, requiredId(id, 'id'), ttlSeconds);
    return Object.assign(new CheckoutHostedLink(), { hostedId: link.id, checkoutSessionId: link.checkoutSessionId, url, expiresAt: link.expiresAt });
  }

  @Mutation(() => CheckoutEmbedToken, { description: 'An embed token for an OPEN session: reads and pays it only, valid ttlSeconds (60-3600, default 900; never past the session\'s expiry).' })
  async createCheckoutEmbedToken(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('ttlSeconds', () => Int, { nullable: true }) ttlSeconds: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutEmbedToken> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const t = await this.hosted.createEmbedToken(ctx.principal, requiredId(id, 'id'), ttlSeconds);
    return Object.assign(new CheckoutEmbedToken(), { ...t, scopes: ['read', 'pay'] });
  }

  @Query(() => CheckoutHostedStatus, { description: "A hosted link's checkout status (redirect return). Unknown or another merchant's: HOSTED_CHECKOUT_NOT_FOUND." })
  async checkoutHostedStatus(@Arg('hostedId', () => ID) hostedId: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutHostedStatus> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const { link, session } = await this.hosted.hostedLink(ctx.principal, requiredId(hostedId, 'hostedId'));
    return Object.assign(new CheckoutHostedStatus(), {
      hostedId: link.id,
      checkoutSessionId: session.id,
      status: effectiveStatus(session),
      paymentIntentId: session.paymentIntentId,
      expiresAt: link.expiresAt,
      linkExpired: link.expiresAt.getTime() <= Date.now(),
    });
  }
}
