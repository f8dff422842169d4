// Runs the merchant's risk rules on a payment: before a confirmation (in its transaction, under the
// intent's row lock, after its amount is final) and as a dry run for a checkout session as it is
// now. Gathers the signals (the session's email, countries and agent from checkout-session; the
// card's fingerprint from the PSP; the buyer's IP as the caller gives it), the history the rules
// count, and a fraud provider's latest decision; stores the assessment; answers the action.
// A merchant with no rules is not assessed (no assessment, no extra call): it pays as before.
// A CHALLENGE is only forced for a merchant whose threeDSecure capability is on at payment time
// (else it becomes a REVIEW: honourThreeDSecureCapability).
import { formatDecimal, money, requireKind, type Logger, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { PspRequestRejected, type CardDetails, type PspConnector } from '../psp/connector.js';
import type { CheckoutRiskSignals, CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { AGENT_METADATA_KEY } from '../payment-intent/payment-intent.access.js';
import { assessRisk } from './risk-engine.js';
import { historyFor, lockCountedValues } from './risk-history.js';
import { insertAssessment, lastCardOf, latestProviderDecision } from './risk-assessments.store.js';
import { checkoutSessionNotFound, kycRequired } from './risk.errors.js';
import type { RiskAssessmentEntity } from './risk.entities.js';
import { CountryPair, RiskAction, RiskRuleType, RiskSignal, type RiskConfig, type RiskResult, type RiskSignals } from './risk.model.js';
import { isActive, type RiskSettingsService } from './risk-settings.service.js';

/** What the caller knows of the buyer's connection (a merchant confirming server-side passes its buyer's). */
export interface RiskContext {
  ipAddress?: string | null;
  ipCountry?: string | null;
}

export interface ConfirmRisk {
  assessment: RiskAssessmentEntity;
  action: RiskAction;
}

const EMPTY: RiskConfig = { rules: [], challengeAt: null, reviewAt: null, blockAt: null, kycRequiredAbove: null };

const needsCard = (c: RiskConfig) =>
  c.rules.some((r) => r.enabled && (r.signal === RiskSignal.CARD_FINGERPRINT || r.signal === RiskSignal.COUNTRY || r.countries === CountryPair.CARD_BILLING));

function signalsOf(session: CheckoutRiskSignals | null, intent: Pick<PaymentIntentEntity, 'metadata'> | null, card: Pick<CardDetails, 'fingerprint' | 'country'> | null, context: RiskContext | null, amount: { amountMinor: number; currency: string }): RiskSignals {
  const agent = session?.agentId ?? (typeof intent?.metadata?.[AGENT_METADATA_KEY] === 'string' ? (intent.metadata[AGENT_METADATA_KEY] as string) : null);
  return {
    email: session?.customerEmail ?? null,
    cardFingerprint: card?.fingerprint ?? null,
    ip: context?.ipAddress?.trim() || null,
    agentId: agent,
    billingCountry: session?.billingCountry ?? null,
    shippingCountry: session?.shippingCountry ?? null,
    ipCountry: context?.ipCountry ? context.ipCountry.trim().toUpperCase() : null,
    cardCountry: card?.country ?? null,
    amountMinor: amount.amountMinor,
    currency: amount.currency,
  };
}

export class RiskAssessor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: RiskSettingsService,
    private readonly checkout: CheckoutRiskSignalsSource | undefined,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  /**
   * Before a confirmation, in its transaction: KYC_REQUIRED when the merchant requires a verified
   * identity for this amount and the session has none (nothing written); else the assessment and
   * its action, or null when the merchant has no rules.
   */
  async beforeConfirm(manager: EntityManager, intent: PaymentIntentEntity, connector: PspConnector, token: string, context: RiskContext | null): Promise<ConfirmRisk | null> {
    const config = await this.settings.load(manager, intent.merchantId);
    if (!config || !isActive(config)) return null;
    await requireKycIfAbove(manager, config, intent);
    if (!config.rules.some((r) => r.enabled)) return null;
    const session = intent.checkoutSessionId && this.checkout ? await this.checkout.riskSignals(intent.checkoutSessionId) : null;
    const card = needsCard(config) ? await this.describeCard(manager, connector, token) : null;
    const signals = signalsOf(session, intent, card, context, intent);
    await lockCountedValues(manager, intent.merchantId, config, signals);
    const history = await historyFor(manager, intent.merchantId, config, signals, intent.id);
    const provider = await latestProviderDecision(manager, intent.merchantId, intent.id, intent.checkoutSessionId);
    const result = await this.honourThreeDSecureCapability(intent.merchantId, assessRisk(config, signals, history, provider));
    const assessment = await insertAssessment(manager, {
      merchantId: intent.merchantId,
      checkoutSessionId: intent.checkoutSessionId,
      paymentIntentId: intent.id,
      source: 'CONFIRM',
      result,
      signals,
    });
    return { assessment: assessment!, action: result.action };
  }

  /**
   * A CHALLENGE forces 3-D Secure; a merchant whose threeDSecure capability is off now (an admin
   * turned it off after the rules were saved, which is refused then) is not challenged: the
   * payment is held for manual review instead (REVIEW: manual capture, the review queue), with the
   * reason `capability:three_d_secure` on the assessment. Never a challenge the merchant may not use.
   */
  private async honourThreeDSecureCapability(merchantId: string, result: RiskResult): Promise<RiskResult> {
    if (result.action !== RiskAction.CHALLENGE || (await this.settings.threeDSecureAllowed(merchantId))) return result;
    const reason = { ruleId: null, code: 'capability:three_d_secure', message: "3-D Secure is off for this merchant (its threeDSecure capability): the challenge becomes a manual review.", points: 0, action: RiskAction.REVIEW };
    return { ...result, action: RiskAction.REVIEW, reasons: [...result.reasons, reason] };
  }

  /** A dry run for the session as it is now: the assessment is logged (source DRY_RUN); nothing else is written. */
  async dryRun(principal: Principal, checkoutSessionId: string, context: RiskContext | null): Promise<RiskAssessmentEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    if (!this.checkout) throw checkoutSessionNotFound(checkoutSessionId);
    const session = await this.checkout.riskSignals(checkoutSessionId);
    if (!session || (p.kind === 'MERCHANT' && session.merchantId !== p.merchantId)) throw checkoutSessionNotFound(checkoutSessionId);
    return this.dataSource.transaction(async (manager) => {
      const config = (await this.settings.load(manager, session.merchantId)) ?? EMPTY;
      const intentId = session.paymentIntentId;
      const card = await lastCardOf(manager, intentId);
      const signals = signalsOf(session, null, card ? { fingerprint: card.cardFingerprint, country: card.cardCountry } : null, context, session);
      const history = await historyFor(manager, session.merchantId, config, signals, intentId);
      const provider = await latestProviderDecision(manager, session.merchantId, intentId, session.checkoutSessionId);
      const result = assessRisk(config, signals, history, provider);
      const assessment = await insertAssessment(manager, { merchantId: session.merchantId, checkoutSessionId, paymentIntentId: intentId, source: 'DRY_RUN', result, signals });
      return assessment!;
    });
  }

  /** The card behind the token; a PSP that will not describe it leaves the card unknown (its rules have no signal). */
  private async describeCard(manager: EntityManager, connector: PspConnector, token: string): Promise<CardDetails | null> {
    try {
      return await connector.describePaymentMethod({ manager }, token);
    } catch (err) {
      if (!(err instanceof PspRequestRejected)) throw err;
      this.logger?.warn({ err: err.message }, 'the PSP would not describe the payment method: its card rules have no signal');
      return null;
    }
  }
}

/** KYC_REQUIRED when the amount is above the merchant's KYC threshold (same currency) and the session has no verified identity. */
async function requireKycIfAbove(manager: EntityManager, config: RiskConfig, intent: PaymentIntentEntity): Promise<void> {
  const limit = config.kycRequiredAbove;
  if (!limit || limit.currency !== intent.currency || intent.amountMinor <= limit.amountMinor) return;
  const verified = intent.checkoutSessionId
    ? ((await manager.query(`SELECT 1 FROM payment.kyc_verifications WHERE checkout_session_id = $1 AND status = 'VERIFIED' LIMIT 1`, [intent.checkoutSessionId])) as unknown[])
    : [];
  if (!verified.length) throw kycRequired(intent.checkoutSessionId, `${formatDecimal(money(limit.amountMinor, limit.currency))} ${limit.currency}`);
}
