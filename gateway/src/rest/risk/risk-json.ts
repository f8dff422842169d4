// The risk resources in seed 003's REST shapes (snake_case, lower-case actions and statuses, minor
// units beside a currency): an assessment, the rules, a manual review, a KYC verification.
export const ASSESSMENT_FIELDS = 'id source score action ruleIds checkoutSessionId paymentIntentId declined createdAt reasons { ruleId code message points action }';
export const RULES_FIELDS = `merchantId challengeAt reviewAt blockAt fraudWebhookSecretSet version updatedAt kycRequiredAbove { amountMinor currency }
  rules { id type enabled score action signal windowSeconds maxPayments amount { amountMinor currency } countries values maxRatioBps minAttempts }`;
export const REVIEW_FIELDS = `id status merchantId checkoutSessionId paymentIntentId reason assignee assignedAt decidedAt decidedBy note createdAt assessment { ${ASSESSMENT_FIELDS} }`;
export const KYC_FIELDS = 'id status checkoutSessionId verificationUrl provider createdAt completedAt';

const lower = (v: string | null | undefined) => (v ? v.toLowerCase() : null);

interface ReasonJson {
  ruleId: string | null;
  code: string;
  message: string;
  points: number;
  action: string | null;
}
export interface AssessmentJson {
  id: string;
  source: string;
  score: number;
  action: string;
  ruleIds: string[];
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  declined: boolean | null;
  createdAt: string;
  reasons: ReasonJson[];
}

export const assessmentJson = (a: AssessmentJson) => ({
  object: 'risk_assessment',
  id: a.id,
  source: lower(a.source),
  checkout_id: a.checkoutSessionId,
  payment_intent_id: a.paymentIntentId,
  score: a.score,
  action: lower(a.action),
  rule_ids: a.ruleIds,
  reasons: a.reasons.map((r) => ({ rule_id: r.ruleId, code: r.code, message: r.message, points: r.points, action: lower(r.action) })),
  declined: a.declined,
  created_at: a.createdAt,
});

interface MoneyJson {
  amountMinor: number;
  currency: string;
}
interface RuleJson {
  id: string;
  type: string;
  enabled: boolean;
  score: number;
  action: string | null;
  signal: string | null;
  windowSeconds: number | null;
  maxPayments: number | null;
  amount: MoneyJson | null;
  countries: string | null;
  values: string[] | null;
  maxRatioBps: number | null;
  minAttempts: number | null;
}
export interface RulesJson {
  merchantId: string;
  challengeAt: number | null;
  reviewAt: number | null;
  blockAt: number | null;
  fraudWebhookSecretSet: boolean;
  version: number;
  updatedAt: string | null;
  kycRequiredAbove: MoneyJson | null;
  rules: RuleJson[];
}

/** Only the fields a rule's type uses (the others are null in GraphQL). */
const ruleJson = (r: RuleJson) => {
  const out: Record<string, unknown> = { id: r.id, type: lower(r.type), enabled: r.enabled, score: r.score, action: lower(r.action) };
  if (r.signal) out.signal = lower(r.signal);
  if (r.windowSeconds !== null) out.window_seconds = r.windowSeconds;
  if (r.maxPayments !== null) out.max_payments = r.maxPayments;
  if (r.amount) Object.assign(out, { amount: r.amount.amountMinor, currency: r.amount.currency });
  if (r.countries) out.countries = lower(r.countries);
  if (r.values) out.values = r.values;
  if (r.maxRatioBps !== null) out.max_ratio_bps = r.maxRatioBps;
  if (r.minAttempts !== null) out.min_attempts = r.minAttempts;
  return out;
};

export const rulesJson = (r: RulesJson) => ({
  object: 'fraud_rules',
  merchant_id: r.merchantId,
  data: r.rules.map(ruleJson),
  thresholds: { challenge_at: r.challengeAt, review_at: r.reviewAt, block_at: r.blockAt },
  kyc_required_above: r.kycRequiredAbove ? { amount: r.kycRequiredAbove.amountMinor, currency: r.kycRequiredAbove.currency } : null,
  fraud_webhook_secret_set: r.fraudWebhookSecretSet,
  version: r.version,
  updated_at: r.updatedAt,
});

export interface ReviewJson {
  id: string;
  status: string;
  merchantId: string;
  checkoutSessionId: string | null;
  paymentIntentId: string;
  reason: string;
  assignee: string | null;
  assignedAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
  createdAt: string;
  assessment: AssessmentJson | null;
}

export const reviewJson = (r: ReviewJson) => ({
  object: 'manual_review',
  id: r.id,
  status: lower(r.status),
  merchant_id: r.merchantId,
  checkout_id: r.checkoutSessionId,
  payment_intent_id: r.paymentIntentId,
  reason: r.reason,
  assignee: r.assignee,
  assigned_at: r.assignedAt,
  decided_at: r.decidedAt,
  decided_by: r.decidedBy,
  note: r.note,
  created_at: r.createdAt,
  assessment: r.assessment ? assessmentJson(r.assessment) : null,
});

export interface KycJson {
  id: string;
  status: string;
  checkoutSessionId: string;
  verificationUrl: string;
  provider: string;
  createdAt: string;
  completedAt: string | null;
}

export const kycJson = (k: KycJson) => ({
  object: 'kyc_verification',
  id: k.id,
  kyc_id: k.id,
  status: lower(k.status),
  checkout_id: k.checkoutSessionId,
  verification_url: k.verificationUrl,
  provider: k.provider,
  created_at: k.createdAt,
  completed_at: k.completedAt,
});
