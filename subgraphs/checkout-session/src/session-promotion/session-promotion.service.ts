// Promotion codes on a checkout session (seed 003 §4's promotions; API.md's POST/DELETE
// …/promotions). A code is applied only when a pricing pass over the session with it would apply
// it: an unknown, expired, not yet started, used-up (usage or per-customer limit) code, one below
// its minimum or in another currency is PROMOTION_INVALID with its reason, and nothing is written.
// A code that is valid but loses to a better exclusive promotion stays applied (the calculation
// lists it as not_combinable). Applying or removing marks the calculation stale. The uses
// themselves are taken when the session commits to paying (promotion.redemption.ts), not here.
import { badUserInput, type Principal } from '@handoff/shared';
import { promotionInvalidError } from '../calculation/index.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { SessionChanger } from '../session-change/session-change.js';
import type { SessionCalculationService } from '../session-calculation/session-calculation.service.js';

const CODE = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const MAX_CODES = 10;

/** The code as stored and matched (upper case), or BAD_USER_INPUT `code`. */
export function normalizePromotionCode(value: unknown): string {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!CODE.test(code)) throw badUserInput('code', 'must be 1 to 64 letters, digits, _ or -.');
  return code;
}

export class SessionPromotionService {
  constructor(
    private readonly changer: SessionChanger,
    private readonly pricing: SessionCalculationService,
  ) {}

  apply(principal: Principal, id: string, rawCode: string, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const code = normalizePromotionCode(rawCode);
    return this.changer.change(principal, id, expectedVersion, async (cs) => {
      const codes = cs.promotionCodes ?? [];
      if (codes.includes(code)) return null;
      if (codes.length >= MAX_CODES) throw badUserInput('code', `at most ${MAX_CODES} codes can be applied to a session.`);
      const next = [...codes, code];
      const calculation = await this.pricing.calculations.preview(await this.pricing.pricingInput(cs, { promotionCodes: next }));
      const refused = calculation.promotionsNotApplied.find((p) => p.code?.toUpperCase() === code && p.reason !== 'not_combinable');
      if (refused) {
        const blocker = calculation.blockers.find((b) => b.code === 'promotion_invalid' && b.promotionCode === code);
        throw promotionInvalidError(blocker?.message ?? `The code ${code} cannot be applied.`, refused.reason, refused.promotionId ?? undefined);
      }
      return { changes: { promotionCodes: next, calculationStale: true } };
    }, { key, operation: 'applyCheckoutPromotion', input: { code } });
  }

  remove(principal: Principal, id: string, rawCode: string, expectedVersion?: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const code = normalizePromotionCode(rawCode);
    return this.changer.change(principal, id, expectedVersion, (cs) => {
      const codes = cs.promotionCodes ?? [];
      if (!codes.includes(code)) throw badUserInput('code', `${code} is not applied to this checkout session.`);
      return { changes: { promotionCodes: codes.filter((c) => c !== code), calculationStale: true } };
    }, { key, operation: 'removeCheckoutPromotion', input: { code } });
  }
}
