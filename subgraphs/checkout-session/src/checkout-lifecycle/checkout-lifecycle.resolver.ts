// GraphQL adapter for seed 003's session lifecycle: updateCheckoutSession, cancelCheckoutSession,
// refreshCheckoutSession, the internal beginCheckoutPayment (payment-intent, before it confirms),
// and the session's terms and lifecycleStatus fields.
import { idempotencyKeyOf, requireKind, SafeInt, knownActorOf, type SubscriptionPlanTerms } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import DataLoader from 'dataloader';
import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { CheckoutUpdateService } from './checkout-update.service.js';
import { CaptureMode, CheckoutOwner, CheckoutOwnerType, UpdateCheckoutSessionInput } from './checkout-lifecycle.type.js';
import { CheckoutLifecycleStatus, lifecycleStatusOf } from './lifecycle-status.js';
import type { PaymentCommitment } from './payment-commitment.js';
import { replaceCheckoutPaymentIntent } from './payment-intent-replacement.js';
import type { CheckoutSessionTermsEntity } from './session-terms.entity.js';
import { termsOf, termsOrDefault } from './session-terms.js';

@Directive('@inaccessible')
@ObjectType('CheckoutPaymentTerms', { description: 'Internal: what the payment of a checkout session must be, once it committed to paying.' })
export class CheckoutPaymentTermsType {
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => SafeInt) amountMinor: number;
  @Field() currency: string;
  @Field(() => CaptureMode) captureMode: CaptureMode;
  @Field(() => ID, { nullable: true }) calculationId: string | null;
  @Field(() => String, {
    nullable: true,
    description: "An agent's checkout: its AAP code, binding amountMinor (re-issued when the amount changed since it was signed); the intent's aap_code must be it. Null otherwise.",
  })
  aapCode: string | null;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "A SUBSCRIPTION session's plan (SubscriptionPlanTerms: interval, intervalCount, trialDays, items): payment-intent creates its billing subscription from it. Null for a PAYMENT session.",
  })
  subscription: SubscriptionPlanTerms | null;
  @Field(() => String, { nullable: true, description: "The session's customer email now: payment-intent keeps it as the intent's receiptEmail (the payments list filters on it)." })
  customerEmail: string | null;
}

// One batch of terms rows per request.
const termsLoaders = new WeakMap<object, DataLoader<string, CheckoutSessionTermsEntity | null>>();

@Resolver(() => CheckoutSession)
export class CheckoutLifecycleResolver {
  constructor(
    private readonly updates: CheckoutUpdateService,
    private readonly commitment: PaymentCommitment,
    private readonly manager: Parameters<typeof termsOf>[0],
  ) {}

  private terms(ctx: CheckoutContext, id: string): Promise<CheckoutSessionTermsEntity | null> {
    let loader = termsLoaders.get(ctx);
    if (!loader) {
      loader = new DataLoader((ids: readonly string[]) => termsOf(this.manager, ids), { maxBatchSize: 500 });
      termsLoaders.set(ctx, loader);
    }
    return loader.load(id);
  }

  @Mutation(() => CheckoutSession, {
    description:
      "Seed 003's PATCH: metadata, owner, channel, cartId, captureMode, requireBillingAddress, and lineItems (replaced while OPEN and not paying; the calculation becomes stale). " +
      'A stale expectedVersion → VERSION_CONFLICT, nothing written. Merchant or admin.',
  })
  updateCheckoutSession(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => UpdateCheckoutSessionInput) input: UpdateCheckoutSessionInput,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return this.updates.update(ctx.principal, id, expectedVersion, input, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, {
    description:
      "Seed 003's DELETE: OPEN → CANCELED; its promotion uses are given back and its open payment intent canceled. releaseInventory (default true) releases its inventory reservation. " +
      "Merchant, admin, or the agent whose checkout created it.",
  })
  cancelCheckoutSession(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Arg('releaseInventory', () => Boolean, { nullable: true, defaultValue: true }) releaseInventory: boolean,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN', 'AGENT');
    return this.updates.cancel(ctx.principal, id, expectedVersion, releaseInventory, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, { description: "Seed 003's refresh: recalculates the session when its calculation is stale or missing; else returns it as it is." })
  refreshCheckoutSession(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN', 'AGENT', 'CLIENT');
    return this.updates.refresh(ctx.principal, id, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutPaymentTermsType, {
    description:
      "Internal (payment-intent, before it confirms a session's intent): commits the session to paying its current calculation; CALCULATION_STALE, CHECKOUT_NOT_READY, PROMOTION_INVALID, PAYMENT_ATTEMPTS_EXCEEDED or TRANSACTION_LIMIT_EXCEEDED otherwise.",
  })
  @Directive('@inaccessible')
  beginCheckoutPayment(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('paymentIntentId', () => ID) paymentIntentId: string,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutPaymentTermsType> {
    requireKind(ctx.principal, 'SERVICE');
    return this.commitment.commit(checkoutSessionId, paymentIntentId, knownActorOf(ctx.principal)) as Promise<CheckoutPaymentTermsType>;
  }

  @Mutation(() => Boolean, {
    description:
      "Internal (payment-intent, after creating the successor of a session's canceled intent): makes paymentIntentId the session's in place of previousPaymentIntentId. The session must be OPEN and its intent the previous one (or already the new one).",
  })
  @Directive('@inaccessible')
  async replaceCheckoutPaymentIntent(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('previousPaymentIntentId', () => ID) previousPaymentIntentId: string,
    @Arg('paymentIntentId', () => ID) paymentIntentId: string,
    @Ctx() ctx: CheckoutContext,
  ): Promise<boolean> {
    requireKind(ctx.principal, 'SERVICE');
    await replaceCheckoutPaymentIntent(this.manager, checkoutSessionId, previousPaymentIntentId, paymentIntentId);
    return true;
  }

  @FieldResolver(() => CheckoutLifecycleStatus, { description: "Seed 003's status (docs/api.md: the mapping from status, the buyer's details and the payment commitment)." })
  async lifecycleStatus(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CheckoutLifecycleStatus> {
    return lifecycleStatusOf(s, await this.terms(ctx, s.id));
  }

  @FieldResolver(() => String, { description: 'ISO 4217: every line and amount of the session is in it.' })
  currency(@Root() s: CheckoutSessionEntity): string {
    return s.currency;
  }

  @FieldResolver(() => CheckoutOwner, { nullable: true, description: 'Not shown to the hosted page.' })
  async owner(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CheckoutOwner | null> {
    if (ctx.principal.kind === 'CLIENT') return null;
    const t = termsOrDefault(await this.terms(ctx, s.id));
    return t.ownerType ? { type: t.ownerType as CheckoutOwnerType, id: t.ownerId } : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Where the session came from (web, app, pos, agent…); not shown to the hosted page.' })
  async channel(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<string | null> {
    if (ctx.principal.kind === 'CLIENT') return null;
    return termsOrDefault(await this.terms(ctx, s.id)).channel;
  }

  @FieldResolver(() => ID, { nullable: true, description: "The merchant's cart the session was made from; not shown to the hosted page." })
  async cartId(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<string | null> {
    if (ctx.principal.kind === 'CLIENT') return null;
    return termsOrDefault(await this.terms(ctx, s.id)).cartId;
  }

  @FieldResolver(() => CaptureMode, { description: "AUTOMATIC or MANUAL (as created, else the merchant's default capture mode): the session's payment intent is created with it." })
  async captureMode(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CaptureMode> {
    return termsOrDefault(await this.terms(ctx, s.id)).captureMode as CaptureMode;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the buyer must give a billing address.' })
  async requireBillingAddress(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<boolean> {
    return termsOrDefault(await this.terms(ctx, s.id)).requireBillingAddress;
  }

  @FieldResolver(() => Date)
  updatedAt(@Root() s: CheckoutSessionEntity): Date {
    return s.updatedAt;
  }
}
