// GraphQL adapter for risk: a merchant's rules (riskRules, setRiskRules), its fraud provider's
// webhook secret (rollFraudWebhookSecret), a dry-run score (scoreCheckoutRisk), and
// PaymentIntent.risk (the intent's latest assessment; its merchant and admins only).
import { optionalId, type SubgraphContext } from '@handoff/shared';
import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntent } from '../payment-intent/payment-intent.type.js';
import type { RiskAssessor } from './risk-assessor.js';
import { latestOfIntents } from './risk-assessments.store.js';
import type { RiskAssessmentEntity } from './risk.entities.js';
import { RiskContextInput, RiskRulesInput } from './risk.input.js';
import { validateRiskContext } from './risk-rules.validation.js';
import type { RiskSettingsService } from './risk-settings.service.js';
import { RiskAssessmentType, RiskRulesType } from './risk.type.js';

// One batch of assessments per request.
const loaders = new WeakMap<object, DataLoader<string, RiskAssessmentEntity | null>>();

@Resolver(() => PaymentIntent)
export class RiskResolver {
  constructor(
    private readonly settings: RiskSettingsService,
    private readonly assessor: RiskAssessor,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => RiskRulesType, { description: 'The merchant risk rules (a merchant key: its own, merchantId optional; an admin names it).' })
  async riskRules(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: SubgraphContext): Promise<RiskRulesType> {
    return RiskRulesType.from(await this.settings.view(ctx.principal, optionalId(merchantId, 'merchantId') ?? null));
  }

  @Mutation(() => RiskRulesType, { description: 'Replaces the merchant risk rules and thresholds; in force at the next confirmation. BAD_USER_INPUT names the field.' })
  async setRiskRules(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('input', () => RiskRulesInput) input: RiskRulesInput,
    @Ctx() ctx: SubgraphContext,
  ): Promise<RiskRulesType> {
    return RiskRulesType.from(await this.settings.set(ctx.principal, optionalId(merchantId, 'merchantId') ?? null, input));
  }

  @Mutation(() => String, {
    description: "A new secret for your fraud provider's signed decisions (POST /v1/checkout/webhook/fraud), shown this once; the previous one stops verifying.",
  })
  rollFraudWebhookSecret(@Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.settings.rollFraudWebhookSecret(ctx.principal, optionalId(merchantId, 'merchantId') ?? null);
  }

  @Mutation(() => RiskAssessmentType, { description: 'A dry run of the merchant risk rules on the checkout session as it is now: logged (source DRY_RUN), nothing else written.' })
  async scoreCheckoutRisk(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('context', () => RiskContextInput, { nullable: true }) context: RiskContextInput | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<RiskAssessmentType> {
    return RiskAssessmentType.from(await this.assessor.dryRun(ctx.principal, checkoutSessionId, validateRiskContext(context, 'context')));
  }

  @FieldResolver(() => RiskAssessmentType, { nullable: true, description: "The latest risk assessment of this payment (its merchant's rules, or its fraud provider's decision); the merchant and admins only." })
  async risk(@Root() intent: PaymentIntentEntity, @Ctx() ctx: SubgraphContext): Promise<RiskAssessmentType | null> {
    if (ctx.principal.kind !== 'MERCHANT' && ctx.principal.kind !== 'ADMIN') return null;
    let loader = loaders.get(ctx);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const latest = await latestOfIntents(this.dataSource.manager, ids);
        return ids.map((id) => latest.get(id) ?? null);
      });
      loaders.set(ctx, loader);
    }
    const a = await loader.load(intent.id);
    return a ? RiskAssessmentType.from(a) : null;
  }
}
