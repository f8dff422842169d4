// The assessment log (payment.risk_assessments, append-only but for a confirmation's outcome):
// writing one, a confirmation's outcome (whether the PSP declined it), the latest of each payment
// intent (PaymentIntent.risk), and a fraud provider's latest decision about a payment.
import { ulid } from 'ulid';
import { In, type EntityManager } from 'typeorm';
import { RiskAssessmentEntity, type AssessmentSource } from './risk.entities.js';
import { RiskAction, type ProviderDecision, type RiskResult, type RiskSignals } from './risk.model.js';

export interface AssessmentSpec {
  merchantId: string;
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  source: AssessmentSource;
  result: RiskResult;
  signals: RiskSignals | null;
  providerEventId?: string | null;
}

const country = (c: string | null | undefined) => (c && /^[A-Za-z]{2}$/.test(c) ? c.toUpperCase() : null);

/** Writes the assessment; with a provider event id already recorded for the merchant, writes nothing and answers null. */
export async function insertAssessment(manager: EntityManager, spec: AssessmentSpec): Promise<RiskAssessmentEntity | null> {
  const s = spec.signals;
  const row = manager.create(RiskAssessmentEntity, {
    id: `ra_${ulid()}`,
    merchantId: spec.merchantId,
    checkoutSessionId: spec.checkoutSessionId,
    paymentIntentId: spec.paymentIntentId,
    source: spec.source,
    score: spec.result.score,
    action: spec.result.action,
    reasons: spec.result.reasons,
    ruleIds: spec.result.ruleIds,
    email: s?.email ? s.email.trim().toLowerCase() : null,
    cardFingerprint: s?.cardFingerprint ?? null,
    ip: s?.ip ? s.ip.trim().toLowerCase() : null,
    agentId: s?.agentId ?? null,
    billingCountry: country(s?.billingCountry),
    shippingCountry: country(s?.shippingCountry),
    ipCountry: country(s?.ipCountry),
    cardCountry: country(s?.cardCountry),
    amountMinor: s?.amountMinor ?? null,
    currency: s?.currency ?? null,
    declined: null,
    providerEventId: spec.providerEventId ?? null,
  });
  const inserted = (await manager.query(
    `INSERT INTO payment.risk_assessments (id, merchant_id, checkout_session_id, payment_intent_id, source, score, action, reasons, rule_ids, email, card_fingerprint,
            ip, agent_id, billing_country, shipping_country, ip_country, card_country, amount_minor, currency, provider_event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::text[], $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
     ON CONFLICT (merchant_id, provider_event_id) WHERE provider_event_id IS NOT NULL DO NOTHING
     RETURNING created_at`,
    [
      row.id, row.merchantId, row.checkoutSessionId, row.paymentIntentId, row.source, row.score, row.action, JSON.stringify(row.reasons), row.ruleIds, row.email,
      row.cardFingerprint, row.ip, row.agentId, row.billingCountry, row.shippingCountry, row.ipCountry, row.cardCountry, row.amountMinor, row.currency, row.providerEventId,
    ],
  )) as Array<{ created_at: Date }>;
  if (!inserted.length) return null;
  row.createdAt = inserted[0]!.created_at;
  return row;
}

/** A confirmation's outcome: whether the PSP declined it (decline-ratio rules count it). */
export async function recordOutcome(manager: EntityManager, assessmentId: string, declined: boolean): Promise<void> {
  await manager.update(RiskAssessmentEntity, { id: assessmentId }, { declined });
}

/** The latest assessment of each intent that has one (a confirmation's or a fraud provider's; dry runs are not the intent's). */
export async function latestOfIntents(manager: EntityManager, intentIds: readonly string[]): Promise<Map<string, RiskAssessmentEntity>> {
  if (!intentIds.length) return new Map();
  // An intent has a few (one per attempt): read them all, newest first, and keep each intent's first.
  const rows = await manager.find(RiskAssessmentEntity, {
    where: { paymentIntentId: In([...intentIds]), source: In(['CONFIRM', 'PROVIDER']) },
    order: { createdAt: 'DESC', id: 'DESC' },
  });
  const latest = new Map<string, RiskAssessmentEntity>();
  for (const r of rows) if (!latest.has(r.paymentIntentId!)) latest.set(r.paymentIntentId!, r);
  return latest;
}

const DECISION: Record<string, ProviderDecision['decision']> = { [RiskAction.ALLOW]: 'allow', [RiskAction.REVIEW]: 'review', [RiskAction.BLOCK]: 'block' };

/** The fraud provider's latest decision about the intent or its checkout session; null when none. */
export async function latestProviderDecision(manager: EntityManager, merchantId: string, paymentIntentId: string | null, checkoutSessionId: string | null): Promise<ProviderDecision | null> {
  const [row] = (await manager.query(
    `SELECT action, score FROM payment.risk_assessments
      WHERE merchant_id = $1 AND source = 'PROVIDER' AND (payment_intent_id = $2 OR checkout_session_id = $3)
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [merchantId, paymentIntentId, checkoutSessionId],
  )) as Array<{ action: string; score: number }>;
  if (!row) return null;
  const decision = DECISION[row.action];
  return decision ? { decision, score: row.score } : null;
}

/** The card the intent was last confirmed with, as its assessment recorded it (a dry run uses it). */
export async function lastCardOf(manager: EntityManager, paymentIntentId: string | null): Promise<{ cardFingerprint: string | null; cardCountry: string | null } | null> {
  if (!paymentIntentId) return null;
  const [row] = (await manager.query(
    `SELECT card_fingerprint, card_country FROM payment.risk_assessments
      WHERE payment_intent_id = $1 AND source = 'CONFIRM' AND card_fingerprint IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
    [paymentIntentId],
  )) as Array<{ card_fingerprint: string; card_country: string | null }>;
  return row ? { cardFingerprint: row.card_fingerprint, cardCountry: row.card_country } : null;
}
