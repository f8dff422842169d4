// The GraphQL face of risk: the rules and their settings, an assessment with its reasons, the
// manual review queue, and identity verifications (KYC). Inputs are in risk.input.ts.
import { Connection, MoneyType, money, toMoneyType } from '@handoff/shared';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CountryPair, RiskAction, RiskRuleType, RiskSignal, type RiskReason, type RiskRule } from './risk.model.js';
import type { RiskSettingsView } from './risk-settings.service.js';
import type { KycVerificationEntity, ManualReviewEntity, RiskAssessmentEntity } from './risk.entities.js';

registerEnumType(RiskAction, { name: 'RiskAction', description: 'ALLOW; CHALLENGE (3-D Secure forced); REVIEW (authorized and held for a manual review); BLOCK (refused: FRAUD_BLOCKED).' });
registerEnumType(RiskRuleType, { name: 'RiskRuleType' });
registerEnumType(RiskSignal, { name: 'RiskSignal', description: 'What a rule looks at; COUNTRY (lists only) matches any of the billing, shipping, IP and card countries.' });
registerEnumType(CountryPair, { name: 'RiskCountryPair', description: 'The two countries a COUNTRY_MISMATCH rule compares.' });

export enum RiskAssessmentSource {
  CONFIRM = 'CONFIRM',
  DRY_RUN = 'DRY_RUN',
  PROVIDER = 'PROVIDER',
}
registerEnumType(RiskAssessmentSource, { name: 'RiskAssessmentSource', description: "CONFIRM (before a confirmation), DRY_RUN (fraud/score), PROVIDER (a fraud provider's decision)." });

export enum ManualReviewStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(ManualReviewStatus, { name: 'ManualReviewStatus' });

export enum KycStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  FAILED = 'FAILED',
}
registerEnumType(KycStatus, { name: 'KycStatus' });

@ObjectType('RiskRule')
export class RiskRuleObject {
  @Field() id: string;
  @Field(() => RiskRuleType) type: RiskRuleType;
  @Field() enabled: boolean;
  @Field(() => Int, { description: 'Points added to the score when it matches.' }) score: number;
  @Field(() => RiskAction, { nullable: true, description: 'The action it forces when it matches (lists: BLOCK or ALLOW).' }) action: RiskAction | null;
  @Field(() => RiskSignal, { nullable: true }) signal: RiskSignal | null;
  @Field(() => Int, { nullable: true }) windowSeconds: number | null;
  @Field(() => Int, { nullable: true, description: 'VELOCITY: payments allowed in the window; one more matches.' }) maxPayments: number | null;
  @Field(() => MoneyType, { nullable: true, description: 'AMOUNT_ABOVE: matches above it.' }) amount: MoneyType | null;
  @Field(() => CountryPair, { nullable: true }) countries: CountryPair | null;
  @Field(() => [String], { nullable: true }) values: string[] | null;
  @Field(() => Int, { nullable: true, description: 'DECLINE_RATIO: matches above this share of declined attempts (basis points).' }) maxRatioBps: number | null;
  @Field(() => Int, { nullable: true }) minAttempts: number | null;

  static from(r: RiskRule): RiskRuleObject {
    const { amountMinor, currency, ...rest } = r;
    return Object.assign(new RiskRuleObject(), rest, { action: r.type === RiskRuleType.BLOCK_LIST ? RiskAction.BLOCK : r.type === RiskRuleType.ALLOW_LIST ? RiskAction.ALLOW : r.action, amount: amountMinor !== null && currency ? toMoneyType(money(amountMinor, currency)) : null });
  }
}

@ObjectType('RiskRules', { description: "A merchant's risk rules, score thresholds and KYC threshold." })
export class RiskRulesType {
  @Field(() => ID) merchantId: string;
  @Field(() => [RiskRuleObject]) rules: RiskRuleObject[];
  @Field(() => Int, { nullable: true, description: 'A score at or above it challenges (3-D Secure).' }) challengeAt: number | null;
  @Field(() => Int, { nullable: true, description: 'A score at or above it sends the payment to manual review.' }) reviewAt: number | null;
  @Field(() => Int, { nullable: true, description: 'A score at or above it blocks the payment.' }) blockAt: number | null;
  @Field(() => MoneyType, { nullable: true, description: 'Payments above it need a verified identity (KYC) first.' }) kycRequiredAbove: MoneyType | null;
  @Field({ description: "Whether a fraud provider's webhook secret was made (rollFraudWebhookSecret); the secret itself is never shown again." }) fraudWebhookSecretSet: boolean;
  @Field(() => Int, { description: '0 until first set; each change adds one.' }) version: number;
  @Field(() => Date, { nullable: true }) updatedAt: Date | null;

  static from(v: RiskSettingsView): RiskRulesType {
    const k = v.config.kycRequiredAbove;
    return Object.assign(new RiskRulesType(), {
      merchantId: v.merchantId,
      rules: v.config.rules.map((r) => RiskRuleObject.from(r)),
      challengeAt: v.config.challengeAt,
      reviewAt: v.config.reviewAt,
      blockAt: v.config.blockAt,
      kycRequiredAbove: k ? toMoneyType(money(k.amountMinor, k.currency)) : null,
      fraudWebhookSecretSet: v.fraudWebhookSecretSet,
      version: v.version,
      updatedAt: v.updatedAt,
    });
  }
}

@ObjectType('RiskReason')
export class RiskReasonType {
  @Field(() => String, { nullable: true, description: "The matched rule's id; null for a fraud provider's decision." }) ruleId: string | null;
  @Field({ description: 'e.g. velocity:email, amount_above, country_mismatch:billing_shipping, block_list:email, decline_ratio:card_fingerprint, provider:review.' }) code: string;
  @Field() message: string;
  @Field(() => Int) points: number;
  @Field(() => RiskAction, { nullable: true }) action: RiskAction | null;

  static from(r: RiskReason): RiskReasonType {
    return Object.assign(new RiskReasonType(), r);
  }
}

@ObjectType('RiskAssessment', { description: "The merchant's risk rules on one payment: a score 0-100, the reasons, the action." })
export class RiskAssessmentType {
  @Field(() => ID) id: string;
  @Field(() => RiskAssessmentSource) source: RiskAssessmentSource;
  @Field(() => Int) score: number;
  @Field(() => RiskAction) action: RiskAction;
  @Field(() => [RiskReasonType]) reasons: RiskReasonType[];
  @Field(() => [String], { description: 'The ids of the rules that matched.' }) ruleIds: string[];
  @Field(() => ID, { nullable: true }) checkoutSessionId: string | null;
  @Field(() => ID, { nullable: true }) paymentIntentId: string | null;
  @Field(() => Boolean, { nullable: true, description: 'CONFIRM: whether the PSP declined the attempt (null: it was not asked).' }) declined: boolean | null;
  @Field(() => Date) createdAt: Date;

  static from(a: RiskAssessmentEntity): RiskAssessmentType {
    return Object.assign(new RiskAssessmentType(), {
      id: a.id,
      source: a.source as RiskAssessmentSource,
      score: a.score,
      action: a.action as RiskAction,
      reasons: (a.reasons ?? []).map(RiskReasonType.from),
      ruleIds: a.ruleIds ?? [],
      checkoutSessionId: a.checkoutSessionId,
      paymentIntentId: a.paymentIntentId,
      declined: a.declined,
      createdAt: a.createdAt,
    });
  }
}

@ObjectType('ManualReview', { description: 'A payment held for a person to approve (captured) or reject (voided: fraud_block).' })
export class ManualReviewType {
  @Field(() => ID) id: string;
  @Field(() => ManualReviewStatus) status: ManualReviewStatus;
  @Field(() => ID) merchantId: string;
  @Field(() => ID, { nullable: true }) checkoutSessionId: string | null;
  @Field(() => ID) paymentIntentId: string;
  @Field({ description: 'rules (the merchant risk rules) or provider (a fraud provider decision).' }) reason: string;
  @Field(() => String, { nullable: true }) assignee: string | null;
  @Field(() => Date, { nullable: true }) assignedAt: Date | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Who decided: <kind>:<key id or service>.' }) decidedBy: string | null;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => Date) createdAt: Date;
  /** Resolved by the manual review resolver (assessment). */
  assessmentId: string | null;

  static from(r: ManualReviewEntity): ManualReviewType {
    return Object.assign(new ManualReviewType(), {
      id: r.id,
      status: r.status as ManualReviewStatus,
      merchantId: r.merchantId,
      checkoutSessionId: r.checkoutSessionId,
      paymentIntentId: r.paymentIntentId,
      reason: r.reason,
      assignee: r.assignee,
      assignedAt: r.assignedAt,
      decidedAt: r.decidedAt,
      decidedBy: r.decidedByKind ? `${r.decidedByKind}:${r.decidedById}` : null,
      note: r.note,
      createdAt: r.createdAt,
      assessmentId: r.assessmentId,
    });
  }
}

export const ManualReviewConnection = Connection('ManualReview', ManualReviewType);

@ObjectType('KycVerification', { description: "An identity verification (KYC) of a checkout's buyer at the KYC provider." })
export class KycVerificationType {
  @Field(() => ID) id: string;
  @Field(() => KycStatus) status: KycStatus;
  @Field(() => ID) checkoutSessionId: string;
  @Field({ description: 'Where the buyer verifies their identity (the provider page).' }) verificationUrl: string;
  @Field() provider: string;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;

  static from(k: KycVerificationEntity): KycVerificationType {
    return Object.assign(new KycVerificationType(), {
      id: k.id,
      status: k.status as KycStatus,
      checkoutSessionId: k.checkoutSessionId,
      verificationUrl: k.verificationUrl,
      provider: k.provider,
      createdAt: k.createdAt,
      completedAt: k.completedAt,
    });
  }
}
