// GraphQL adapter for conversions: maps arguments, calls one service, shapes the result.
import { idempotencyKeyOf, money, MoneyType, toMoneyType, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { LedgerContext } from '../context.js';
import { AgentRef, AgentSessionRef, MerchantRef, PaymentIntentRef, RecommendationRef } from '../federation/stubs.js';
import { toEntry } from '../reporting/reporting.mappers.js';
import type { ConversionLifecycle } from './conversion-lifecycle.service.js';
import type { ConversionRecorder } from './conversion-recorder.service.js';
import type { ConversionEntity } from './conversion.entity.js';
import type { ConversionService } from './conversion.service.js';
import { CommissionType_, Conversion, LedgerEntryType, MilestoneInput, MilestoneType, ReportConversionInput } from './conversion.type.js';

@Resolver(() => Conversion)
export class ConversionResolver {
  constructor(
    private readonly conversions: ConversionService,
    private readonly recorder: ConversionRecorder,
    private readonly lifecycle: ConversionLifecycle,
  ) {}

  @Query(() => Conversion, { nullable: true, description: 'A conversion the caller may see, else null.' })
  conversion(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<ConversionEntity | null> {
    return this.conversions.findVisible(ctx.principal, id);
  }

  @Mutation(() => Conversion, { description: 'Merchant. Unique per merchant and order reference: a repeat returns the same conversion.' })
  reportConversion(
    @Arg('input', () => ReportConversionInput) input: ReportConversionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ConversionEntity> {
    return this.recorder.report(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => Conversion, { description: "Merchant (or admin). A step of the merchant's conversion flow, in order." })
  recordMilestone(
    @Arg('conversionId', () => ID) conversionId: string,
    @Arg('input', () => MilestoneInput) input: MilestoneInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ConversionEntity> {
    return this.lifecycle.recordMilestone(ctx.principal, conversionId, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => Conversion, { description: 'Admin. Approves (books the commission) or rejects a flagged conversion, with a reason.' })
  resolveFlaggedConversion(
    @Arg('id', () => ID) id: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ConversionEntity> {
    return this.recorder.resolveFlagged(ctx.principal, id, approve, reason);
  }

  @FieldResolver(() => MoneyType)
  transactionValue(@Root() c: ConversionEntity): MoneyType {
    return toMoneyType(money(c.transactionValueMinor, c.currency));
  }

  @FieldResolver(() => MoneyType)
  refunded(@Root() c: ConversionEntity): MoneyType {
    return toMoneyType(money(c.refundedMinor, c.currency));
  }

  @FieldResolver(() => CommissionType_)
  commission(@Root() c: ConversionEntity): CommissionType_ {
    const m = (minor: number) => toMoneyType(money(minor, c.currency));
    return {
      amount: m(c.commissionMinor),
      networkFee: m(c.networkFeeMinor),
      builderPayout: m(c.builderPayoutMinor),
      unclaimed: m(c.unclaimedMinor),
      forfeited: m(c.forfeitedMinor),
      type: c.commissionType,
    };
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() c: ConversionEntity): MerchantRef {
    return { id: c.merchantId };
  }

  @FieldResolver(() => AgentRef, { nullable: true })
  agent(@Root() c: ConversionEntity): AgentRef | null {
    return c.agentId ? { id: c.agentId } : null;
  }

  @FieldResolver(() => RecommendationRef, { nullable: true })
  recommendation(@Root() c: ConversionEntity): RecommendationRef | null {
    return c.recommendationId ? { id: c.recommendationId } : null;
  }

  @FieldResolver(() => AgentSessionRef, { nullable: true })
  session(@Root() c: ConversionEntity): AgentSessionRef | null {
    return c.sessionId ? { id: c.sessionId } : null;
  }

  @FieldResolver(() => PaymentIntentRef, { nullable: true })
  paymentIntent(@Root() c: ConversionEntity): PaymentIntentRef | null {
    return c.paymentIntentId ? { id: c.paymentIntentId } : null;
  }

  @FieldResolver(() => [MilestoneType])
  async milestones(@Root() c: ConversionEntity, @Ctx() ctx: LedgerContext): Promise<MilestoneType[]> {
    const rows = await ctx.loadersOf(c).milestones.load(c.id);
    return rows.map((r) => ({ step: r.step, status: r.status, metadata: r.metadata, recordedAt: r.recorded_at }));
  }

  @FieldResolver(() => [LedgerEntryType])
  async ledgerEntries(@Root() c: ConversionEntity, @Ctx() ctx: LedgerContext): Promise<LedgerEntryType[]> {
    return (await ctx.loadersOf(c).entries.load(c.id)).map(toEntry);
  }
}
