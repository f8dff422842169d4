// GraphQL adapter for the manual review queue: list, assign, approve (capture), reject (void).
import { optionalId, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { mapPage, type Page } from '@handoff/shared';
import type { ManualReviewService } from './manual-review.service.js';
import { RiskAssessmentEntity } from './risk.entities.js';
import { ManualReviewConnection, ManualReviewStatus, ManualReviewType, RiskAssessmentType } from './risk.type.js';

@Resolver(() => ManualReviewType)
export class ManualReviewResolver {
  constructor(
    private readonly reviews: ManualReviewService,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => ManualReviewConnection, { description: 'The manual review queue, oldest first (a merchant: its own; an admin: all, or one merchant).' })
  async manualReviews(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('status', () => ManualReviewStatus, { nullable: true }) status: ManualReviewStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<Page<ManualReviewType>> {
    return mapPage(await this.reviews.list(ctx.principal, { merchantId: optionalId(merchantId, 'merchantId') ?? null, status, first, after }), ManualReviewType.from);
  }

  @Mutation(() => ManualReviewType, { description: "Assigns the session's pending review to someone (free text, e.g. an email)." })
  async assignManualReview(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('assignee', () => String) assignee: string,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ManualReviewType> {
    return ManualReviewType.from(await this.reviews.assign(ctx.principal, checkoutSessionId, assignee));
  }

  @Mutation(() => ManualReviewType, { description: 'Approves the held payment: it is captured and the checkout completes.' })
  async approveManualReview(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ManualReviewType> {
    return ManualReviewType.from(await this.reviews.approve(ctx.principal, checkoutSessionId, note));
  }

  @Mutation(() => ManualReviewType, { description: 'Rejects the held payment: the authorization is voided and the checkout fails with fraud_block.' })
  async rejectManualReview(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<ManualReviewType> {
    return ManualReviewType.from(await this.reviews.reject(ctx.principal, checkoutSessionId, note));
  }

  @FieldResolver(() => RiskAssessmentType, { nullable: true, description: 'The assessment that sent it to review.' })
  async assessment(@Root() review: ManualReviewType): Promise<RiskAssessmentType | null> {
    if (!review.assessmentId) return null;
    const a = await this.dataSource.manager.findOneBy(RiskAssessmentEntity, { id: review.assessmentId });
    return a ? RiskAssessmentType.from(a) : null;
  }
}
