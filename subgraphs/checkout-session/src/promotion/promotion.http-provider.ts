// The promotions stage at the merchant's endpoint (docs/api.md, "Pricing provider endpoints").
// The merchant decides which promotions apply and how much each takes off; Handoff checks the
// answer adds up: every code sent is applied or rejected exactly once, amounts are non-negative
// integers, a promotion's per-line split (when given) sums to its amount, names only known lines
// and no line is discounted below zero. A promotion given without a split is split across the
// lines by the largest-remainder method. Anything else is a ProviderFailure. The merchant owns
// its limits: promotions applied here carry no usage limit into Handoff's redemption ledger.
import { allocate, money, type Money } from '@handoff/shared';
import { z } from 'zod';
import type { AppliedPromotion, Blocker, LineAdjustment, PromotionNotApplied } from '../calculation/calculation.types.js';
import { callPricingEndpoint, ProviderFailure, type EndpointCallOptions, type PricingEndpoint } from '../calculation/pricing-endpoint.js';
import type { PromotionStageRequest, PromotionStageResult } from '../calculation/stages.js';
import { promotionInvalid, type PromotionRejection } from './promotion.evaluate.js';
import type { PromotionProvider } from './promotion.provider.js';

const REASONS = ['unknown', 'not_started', 'expired', 'exhausted', 'customer_limit', 'customer_required', 'below_minimum', 'currency', 'not_applicable', 'not_combinable'] as const;
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const answerSchema = z.strictObject({
  applied: z
    .array(
      z.strictObject({
        promotion_id: z.string().trim().min(1).max(100),
        code: z.string().trim().min(1).max(64).nullable(),
        amount,
        lines: z.array(z.strictObject({ id: z.string().min(1).max(200), amount })).max(500).optional(),
      }),
    )
    .max(50),
  rejected: z.array(z.strictObject({ code: z.string().trim().min(1).max(64), reason: z.enum(REASONS) })).max(50),
});

export function promotionRequestBody(req: PromotionStageRequest) {
  return {
    type: 'promotions.evaluate',
    merchant_id: req.merchantId,
    currency: req.currency,
    calculated_at: req.at,
    customer_key: req.customerKey,
    codes: req.codes,
    lines: req.lines.map((l) => ({ id: l.id, offer_id: l.offerId, quantity: l.quantity, unit_amount: l.unit.amountMinor, amount: l.base.amountMinor })),
    subtotal: req.subTotal.amountMinor,
  };
}

export function readPromotionAnswer(req: PromotionStageRequest, json: unknown): PromotionStageResult {
  const parsed = answerSchema.safeParse(json);
  const bad = (why: string) => new ProviderFailure('promotions', `invalid answer: ${why}`);
  if (!parsed.success) throw bad(parsed.error.issues[0] ? `${parsed.error.issues[0].path.join('.') || 'body'} ${parsed.error.issues[0].message}` : 'shape');
  const { applied, rejected } = parsed.data;
  const answered = [...applied.filter((a) => a.code !== null).map((a) => a.code!.toUpperCase()), ...rejected.map((r) => r.code.toUpperCase())];
  if (answered.length !== req.codes.length || new Set(answered).size !== answered.length || req.codes.some((c) => !answered.includes(c))) {
    throw bad('every code sent must be applied or rejected exactly once');
  }
  if (new Set(applied.map((a) => a.promotion_id)).size !== applied.length) throw bad('a promotion is applied twice');

  const remaining = new Map<string, Money>(req.lines.map((l) => [l.id, l.base]));
  const adjustments: Record<string, LineAdjustment[]> = Object.fromEntries(req.lines.map((l) => [l.id, [] as LineAdjustment[]]));
  const out: AppliedPromotion[] = [];
  for (const a of applied) {
    const code = a.code === null ? null : a.code.toUpperCase();
    let parts: Array<[string, number]>;
    if (a.lines) {
      if (a.lines.reduce((n, l) => n + l.amount, 0) !== a.amount) throw bad(`promotion ${a.promotion_id}: its lines do not add up to its amount`);
      if (new Set(a.lines.map((l) => l.id)).size !== a.lines.length || a.lines.some((l) => !remaining.has(l.id))) {
        throw bad(`promotion ${a.promotion_id}: unknown or repeated line`);
      }
      parts = a.lines.map((l) => [l.id, l.amount]);
    } else {
      const left = req.lines.map((l) => remaining.get(l.id)!.amountMinor);
      if (a.amount > left.reduce((n, x) => n + x, 0)) throw bad(`promotion ${a.promotion_id}: more than the order`);
      parts = a.amount === 0 ? [] : allocate(money(a.amount, req.currency), left).map((m, i) => [req.lines[i]!.id, m.amountMinor]);
    }
    for (const [id, part] of parts) {
      const left = remaining.get(id)!.amountMinor - part;
      if (left < 0) throw bad(`promotion ${a.promotion_id}: discounts line ${id} below zero`);
      remaining.set(id, money(left, req.currency));
      if (part > 0) adjustments[id]!.push({ promotionId: a.promotion_id, code, amountMinor: part });
    }
    out.push({ promotionId: a.promotion_id, code, automatic: code === null, stacking: 'STACKABLE', amountMinor: a.amount, usageLimit: null, perCustomerLimit: null });
  }
  const blockers: Blocker[] = [];
  const notApplied: PromotionNotApplied[] = [];
  for (const r of rejected) {
    const code = r.code.toUpperCase();
    notApplied.push({ promotionId: null, code, reason: r.reason });
    if (r.reason !== 'not_combinable') blockers.push(promotionInvalid(code, r.reason as PromotionRejection));
  }
  return { applied: out, adjustments, notApplied, blockers };
}

export class HttpPromotionProvider implements PromotionProvider {
  readonly kind = 'HTTP' as const;
  constructor(
    private readonly endpoint: PricingEndpoint,
    private readonly opts: EndpointCallOptions,
  ) {}

  async evaluate(req: PromotionStageRequest): Promise<PromotionStageResult> {
    return readPromotionAnswer(req, await callPricingEndpoint('promotions', this.endpoint, promotionRequestBody(req), this.opts));
  }
}
