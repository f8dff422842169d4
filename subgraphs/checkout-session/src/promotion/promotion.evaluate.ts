// The built-in promotion rules over the merchant's configured promotions.
//
// Eligibility, checked at the calculation's `at`: a code must name a configured promotion
// (case-insensitive), be within [startsAt, endsAt), have uses left (usageLimit against the
// ledger's count), be under its per-customer limit (which needs a customer key), meet its
// minimum (order subtotal before discounts), be in the session's currency and, for OFFERS
// scope, match a line. A code that fails is a promotion_invalid blocker and is not applied.
//
// Stacking: of the automatic promotions that are eligible, only the one worth most is a candidate
// (the best automatic promotion; ties go to the smaller id). The candidates are it and the
// buyer's valid codes. If all are STACKABLE they all apply; otherwise the engine applies whichever
// is worth most to the buyer of: every STACKABLE candidate together, or one EXCLUSIVE candidate
// alone (ties: the stackable set, then the smaller id). The rest are listed as not applied
// (not_combinable).
//
// Amounts: a percentage is computed once on the eligible lines' prices before any discount,
// rounded half-up; an amount off is taken as is. Percentages apply first, then amounts off, each
// capped at what is left of its eligible lines, and split across them by the largest-remainder
// method (weights: what is left of each line), so no line goes below zero and the lines' discounts
// add up to the promotion's amount exactly.
import { allocate, applyBasisPoints, compare, money, subtract, sum, type Money, type PromotionConfig } from '@handoff/shared';
import type { AppliedPromotion, Blocker, LineAdjustment, PromotionNotApplied } from '../calculation/calculation.types.js';
import type { PricedLine, PromotionStageRequest, PromotionStageResult } from '../calculation/stages.js';

export type PromotionRejection =
  | 'unknown'
  | 'not_started'
  | 'expired'
  | 'exhausted'
  | 'customer_limit'
  | 'customer_required'
  | 'below_minimum'
  | 'currency'
  | 'not_applicable';

const MESSAGES: Record<PromotionRejection, (code: string) => string> = {
  unknown: (c) => `The code ${c} is not a promotion of this merchant.`,
  not_started: (c) => `The promotion ${c} has not started yet.`,
  expired: (c) => `The promotion ${c} has ended.`,
  exhausted: (c) => `The promotion ${c} has been used up.`,
  customer_limit: (c) => `You have already used the promotion ${c} as many times as it allows.`,
  customer_required: (c) => `The promotion ${c} is limited per customer: give your email or sign in to use it.`,
  below_minimum: (c) => `The order is below the minimum subtotal for ${c}.`,
  currency: (c) => `The promotion ${c} is not available in this currency.`,
  not_applicable: (c) => `No item in the order is eligible for ${c}.`,
};

export function promotionInvalid(code: string, reason: PromotionRejection): Blocker {
  return { code: 'promotion_invalid', message: MESSAGES[reason](code), promotionCode: code, reason };
}

const eligibleLines = (p: PromotionConfig, lines: readonly PricedLine[]) =>
  p.scope === 'OFFERS' ? lines.filter((l) => l.offerId !== null && p.offerIds.includes(l.offerId)) : [...lines];

/** Why `p` cannot apply to this request, or null when it can. */
export function rejectionOf(p: PromotionConfig, req: PromotionStageRequest, at: Date): PromotionRejection | null {
  if (p.startsAt && at < new Date(p.startsAt)) return 'not_started';
  if (p.endsAt && at >= new Date(p.endsAt)) return 'expired';
  if ((p.amountOff && p.amountOff.currency !== req.currency) || (p.minSubtotal && p.minSubtotal.currency !== req.currency)) {
    return 'currency';
  }
  const usage = req.usage[p.id];
  if (p.usageLimit !== null && (usage?.used ?? 0) >= p.usageLimit) return 'exhausted';
  if (p.perCustomerLimit !== null) {
    if (!req.customerKey) return 'customer_required';
    if ((usage?.byCustomer ?? 0) >= p.perCustomerLimit) return 'customer_limit';
  }
  if (p.minSubtotal && compare(req.subTotal, money(p.minSubtotal.amountMinor, req.currency)) < 0) return 'below_minimum';
  if (eligibleLines(p, req.lines).length === 0) return 'not_applicable';
  return null;
}

interface Applied {
  promotion: PromotionConfig;
  amount: Money;
  perLine: Map<string, Money>;
}

/** Applies `promotions` in the documented order; returns each one's amount and split. */
function apply(promotions: readonly PromotionConfig[], req: PromotionStageRequest): Applied[] {
  const remaining = new Map(req.lines.map((l) => [l.id, l.base]));
  const ordered = [...promotions].sort((a, b) => {
    const ka = a.percentOffBasisPoints !== null ? 0 : 1;
    const kb = b.percentOffBasisPoints !== null ? 0 : 1;
    return ka !== kb ? ka - kb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  const out: Applied[] = [];
  for (const p of ordered) {
    const lines = eligibleLines(p, req.lines);
    const left = lines.map((l) => remaining.get(l.id)!);
    const leftTotal = sum(left, req.currency);
    const face =
      p.percentOffBasisPoints !== null
        ? applyBasisPoints(sum(lines.map((l) => l.base), req.currency), p.percentOffBasisPoints, 'half_up')
        : money(p.amountOff!.amountMinor, req.currency);
    const amount = compare(face, leftTotal) > 0 ? leftTotal : face;
    const perLine = new Map<string, Money>();
    if (amount.amountMinor > 0) {
      const parts = allocate(amount, left.map((m) => m.amountMinor));
      lines.forEach((l, i) => {
        perLine.set(l.id, parts[i]!);
        remaining.set(l.id, subtract(remaining.get(l.id)!, parts[i]!));
      });
    }
    out.push({ promotion: p, amount, perLine });
  }
  return out;
}

const totalOf = (applied: readonly Applied[], currency: string) => sum(applied.map((a) => a.amount), currency);
const byId = (a: PromotionConfig, b: PromotionConfig) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The built-in promotions stage (see the top of this file). */
export function evaluatePromotions(req: PromotionStageRequest): PromotionStageResult {
  const at = new Date(req.at);
  const blockers: Blocker[] = [];
  const notApplied: PromotionNotApplied[] = [];
  const candidates: PromotionConfig[] = [];
  const byCode = new Map(req.config.promotions.filter((p) => p.code !== null).map((p) => [p.code!.toUpperCase(), p]));

  for (const code of req.codes) {
    const p = byCode.get(code);
    const reason = p ? rejectionOf(p, req, at) : 'unknown';
    if (reason) {
      blockers.push(promotionInvalid(code, reason));
      notApplied.push({ promotionId: p?.id ?? null, code, reason });
    } else if (!candidates.includes(p!)) {
      candidates.push(p!);
    }
  }

  const automatic = req.config.promotions
    .filter((p) => p.automatic && rejectionOf(p, req, at) === null)
    .map((p) => ({ p, worth: apply([p], req)[0]!.amount }))
    .filter((x) => x.worth.amountMinor > 0)
    .sort((a, b) => compare(b.worth, a.worth) || byId(a.p, b.p));
  if (automatic[0]) candidates.push(automatic[0].p);

  const stackable = candidates.filter((p) => p.stacking === 'STACKABLE').sort(byId);
  const exclusive = candidates.filter((p) => p.stacking === 'EXCLUSIVE').sort(byId);
  let chosen = apply(stackable, req);
  for (const p of exclusive) {
    const alone = apply([p], req);
    if (compare(totalOf(alone, req.currency), totalOf(chosen, req.currency)) > 0) chosen = alone;
  }
  const chosenIds = new Set(chosen.map((a) => a.promotion.id));
  for (const p of candidates) {
    if (!chosenIds.has(p.id)) notApplied.push({ promotionId: p.id, code: p.code, reason: 'not_combinable' });
  }

  const applied: AppliedPromotion[] = [];
  const adjustments: Record<string, LineAdjustment[]> = Object.fromEntries(req.lines.map((l) => [l.id, [] as LineAdjustment[]]));
  for (const a of chosen) {
    applied.push({
      promotionId: a.promotion.id,
      code: a.promotion.code,
      automatic: a.promotion.automatic,
      stacking: a.promotion.stacking,
      amountMinor: a.amount.amountMinor,
      usageLimit: a.promotion.usageLimit,
      perCustomerLimit: a.promotion.perCustomerLimit,
    });
    for (const l of req.lines) {
      const part = a.perLine.get(l.id);
      if (part && part.amountMinor > 0) adjustments[l.id]!.push({ promotionId: a.promotion.id, code: a.promotion.code, amountMinor: part.amountMinor });
    }
  }
  return { applied, adjustments, notApplied, blockers };
}
