// GraphQL adapter for checkout sessions: maps arguments, calls the service, shapes the result.
import { idempotencyKeyOf, money, RecurringPriceType, requireKind, toMoneyType, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import { MerchantRef } from '../federation/stubs.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import type { CheckoutLifecycleService } from './checkout-session.lifecycle.js';
import type { CheckoutSessionService } from './checkout-session.service.js';
import type { LineCatalog } from './line-catalog.js';
import { effectiveStatus } from './checkout-session.states.js';
import {
  Attribution,
  CheckoutPaymentMismatch,
  CheckoutSession,
  CheckoutSessionConnection,
  CreateCheckoutSessionInput,
  LineItem,
  Totals,
} from './checkout-session.type.js';

@Resolver(() => CheckoutSession)
export class CheckoutSessionResolver {
  constructor(
    private readonly sessions: CheckoutSessionService,
    private readonly lifecycle: CheckoutLifecycleService,
    private readonly catalog: LineCatalog,
  ) {}

  @Query(() => CheckoutSession, { nullable: true, description: 'A checkout session the caller may see, else null.' })
  checkoutSession(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutSessionEntity | null> {
    return this.sessions.findVisible(ctx.principal, id);
  }

  @Query(() => CheckoutSessionConnection, { description: 'Admin: all; a merchant: its own; an agent: those its checkouts created.' })
  checkoutSessions(
    @Arg('status', () => CheckoutSessionStatus, { nullable: true }) status: CheckoutSessionStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<CheckoutSessionEntity>> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'AGENT', 'SERVICE');
    return this.sessions.list(ctx.principal, { status, first, after });
  }

  @Mutation(() => CheckoutSession, { description: 'Merchant (or admin with merchantId): a session with line items and its payment intent.' })
  createCheckoutSession(
    @Arg('input', () => CreateCheckoutSessionInput) input: CreateCheckoutSessionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    const principal = requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return this.sessions.create(principal, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => CheckoutSession, { description: 'OPEN → EXPIRED now; its payment intents are canceled. Merchant, admin, or the agent whose checkout created it.' })
  expireCheckoutSession(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN', 'AGENT');
    return this.lifecycle.expire(ctx.principal, id, expectedVersion);
  }

  @FieldResolver(() => CheckoutSessionStatus)
  status(@Root() session: CheckoutSessionEntity): CheckoutSessionStatus {
    return effectiveStatus(session);
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() session: CheckoutSessionEntity): MerchantRef {
    return { id: session.merchantId };
  }

  @FieldResolver(() => Totals)
  totals(@Root() session: CheckoutSessionEntity): Totals {
    return Totals.of(session);
  }

  @FieldResolver(() => [LineItem])
  async lineItems(@Root() session: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<LineItem[]> {
    const lines = await ctx.loaders.lineItems.load(session.id);
    return Promise.all(
      lines.map(async (l) => ({
        name: l.name,
        unitAmount: toMoneyType(money(l.unitAmountMinor, session.currency)),
        quantity: l.quantity,
        total: toMoneyType(money(l.totalMinor, session.currency)),
        offer: l.offerId ? { id: l.offerId } : null,
        // Stored when the line was written; only lines older than that are resolved now.
        taxCategory: l.taxCategory ?? (await this.catalog.categoryOf(session.merchantId, l.offerId)),
        sku: l.sku,
        recurring: l.recurringInterval
          ? RecurringPriceType.of({ interval: l.recurringInterval, intervalCount: l.recurringIntervalCount!, trialDays: l.recurringTrialDays! })
          : null,
      })),
    );
  }

  @FieldResolver(() => String)
  url(@Root() session: CheckoutSessionEntity): string {
    return this.sessions.hostedPageUrl(session.id);
  }

  // Whoever reads `url` can read its secret; the hosted page already holds it.
  @FieldResolver(() => String, { nullable: true })
  clientToken(@Root() session: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): string | null {
    return ctx.principal.kind === 'CLIENT' ? null : this.sessions.clientToken(session.id);
  }

  // The hosted page sees the session's public view only: no attribution, metadata or email.
  @FieldResolver(() => String, { nullable: true })
  customerEmail(@Root() session: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): string | null {
    return ctx.principal.kind === 'CLIENT' ? null : session.customerEmail;
  }

  @FieldResolver(() => String, { nullable: true })
  metadata(@Root() session: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Record<string, string> | null {
    return ctx.principal.kind === 'CLIENT' ? null : session.metadata;
  }

  @FieldResolver(() => CheckoutPaymentMismatch, { nullable: true })
  paymentMismatch(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): CheckoutPaymentMismatch | null {
    const m = s.paymentMismatch;
    if (ctx.principal.kind === 'CLIENT' || !m) return null;
    return {
      paymentIntentId: m.paymentIntentId,
      expected: toMoneyType(money(m.expectedAmountMinor, m.expectedCurrency)),
      receivedAmountMinor: m.receivedAmountMinor,
      receivedCurrency: m.receivedCurrency,
      detectedAt: new Date(m.detectedAt),
    };
  }

  @FieldResolver(() => Attribution, { nullable: true })
  attribution(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Attribution | null {
    if (ctx.principal.kind === 'CLIENT') return null;
    // The ids only with the code they travel with: a session attributed by its code, else none (its touches still read).
    const coded = Boolean(s.aapCode && s.recommendationId && s.agentSessionId && s.offerId && s.agentId);
    return {
      aapCode: coded ? s.aapCode : null, recommendationId: coded ? s.recommendationId : null, sessionId: coded ? s.agentSessionId : null,
      offerId: coded ? s.offerId : null, merchantId: s.merchantId, agentId: coded ? s.agentId : null, checkoutSessionId: s.id,
    };
  }
}
