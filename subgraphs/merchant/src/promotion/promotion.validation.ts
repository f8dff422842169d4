// Promotion input checks that need no database (the merchant's currency is passed in; the
// offers named are checked against the merchant's by the service).
import { badUserInput, type Money, type MoneyInput, type PromotionScope, type PromotionStacking } from '@handoff/shared';
import { basisPoints, boundedList, configAmount, optionalConfigAmount, optionalInt } from '../checkout-pricing/pricing.validation.js';
import { optionalText } from '../input.js';

/** Codes are stored upper-cased: letters, digits, `_` and `-`, 3 to 40 characters. */
const CODE = /^[A-Z0-9][A-Z0-9_-]{2,39}$/;
export const MAX_PROMOTION_OFFERS = 100;
export const MAX_USAGE_LIMIT = 1_000_000_000;

export interface CreatePromotionSpec {
  merchantId: string;
  name?: string | null;
  code?: string | null;
  automatic?: boolean | null;
  percentOffBasisPoints?: number | null;
  amountOff?: MoneyInput | null;
  scope?: string | null;
  offerIds?: string[] | null;
  minSubtotal?: MoneyInput | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  stacking?: string | null;
}

export interface PromotionDraft {
  name: string | null;
  code: string | null;
  automatic: boolean;
  percentOffBps: number | null;
  amountOff: Money | null;
  scope: PromotionScope;
  offerIds: string[];
  minSubtotal: Money | null;
  startsAt: Date | null;
  endsAt: Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  stacking: PromotionStacking;
}

export function normalizePromotionCode(value: unknown, field = 'input.code'): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const code = value.trim().toUpperCase();
  if (!CODE.test(code)) throw badUserInput(field, 'must be 3 to 40 letters, digits, "_" or "-".');
  return code;
}

function optionalDate(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw badUserInput(field, 'must be an ISO 8601 date-time.');
  return value;
}

export function checkWindow(startsAt: Date | null, endsAt: Date | null, field = 'input.endsAt'): void {
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) throw badUserInput(field, 'must be after startsAt.');
}

export function checkLimits(usageLimit: number | null, perCustomerLimit: number | null, field = 'input.perCustomerLimit'): void {
  if (usageLimit !== null && perCustomerLimit !== null && perCustomerLimit > usageLimit) {
    throw badUserInput(field, 'must not be more than usageLimit.');
  }
}

export function validateCreatePromotion(input: CreatePromotionSpec, currency: string): PromotionDraft {
  const automatic = input.automatic ?? false;
  if (typeof automatic !== 'boolean') throw badUserInput('input.automatic', 'must be true or false.');
  const hasCode = input.code !== null && input.code !== undefined;
  if (automatic && hasCode) throw badUserInput('input.code', 'must be omitted for an automatic promotion.');
  if (!automatic && !hasCode) throw badUserInput('input.code', 'is required unless the promotion is automatic.');
  const code = hasCode ? normalizePromotionCode(input.code) : null;

  const hasPercent = input.percentOffBasisPoints !== null && input.percentOffBasisPoints !== undefined;
  const hasAmount = input.amountOff !== null && input.amountOff !== undefined;
  if (hasPercent === hasAmount) throw badUserInput('input.percentOffBasisPoints', 'give exactly one of percentOffBasisPoints and amountOff.');
  const percentOffBps = hasPercent ? basisPoints(input.percentOffBasisPoints, 'input.percentOffBasisPoints', 1) : null;
  const amountOff = hasAmount ? configAmount(input.amountOff, 'input.amountOff', currency, true) : null;

  const scope = input.scope ?? 'ORDER';
  if (scope !== 'ORDER' && scope !== 'OFFERS') throw badUserInput('input.scope', 'must be ORDER or OFFERS.');
  const offerIds = [...new Set(boundedList(input.offerIds, 'input.offerIds', MAX_PROMOTION_OFFERS))];
  offerIds.forEach((id, i) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw badUserInput(`input.offerIds[${i}]`, 'must be an offer id.');
  });
  if (scope === 'OFFERS' && offerIds.length === 0) throw badUserInput('input.offerIds', 'name at least one offer for scope OFFERS.');
  if (scope === 'ORDER' && offerIds.length > 0) throw badUserInput('input.offerIds', 'must be empty for scope ORDER.');

  const stacking = input.stacking ?? 'STACKABLE';
  if (stacking !== 'STACKABLE' && stacking !== 'EXCLUSIVE') throw badUserInput('input.stacking', 'must be STACKABLE or EXCLUSIVE.');

  const startsAt = optionalDate(input.startsAt, 'input.startsAt');
  const endsAt = optionalDate(input.endsAt, 'input.endsAt');
  checkWindow(startsAt, endsAt);
  const usageLimit = optionalInt(input.usageLimit, 'input.usageLimit', 1, MAX_USAGE_LIMIT);
  const perCustomerLimit = optionalInt(input.perCustomerLimit, 'input.perCustomerLimit', 1, MAX_USAGE_LIMIT);
  checkLimits(usageLimit, perCustomerLimit);

  return {
    name: optionalText(input.name, 'input.name') ?? null,
    code,
    automatic,
    percentOffBps,
    amountOff,
    scope,
    offerIds,
    minSubtotal: optionalConfigAmount(input.minSubtotal, 'input.minSubtotal', currency),
    startsAt,
    endsAt,
    usageLimit,
    perCustomerLimit,
    stacking,
  };
}

export interface UpdatePromotionSpec {
  name?: string | null;
  active?: boolean | null;
  endsAt?: Date | null;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
}

export interface PromotionChanges {
  name?: string;
  active?: boolean;
  endsAt?: Date;
  usageLimit?: number;
  perCustomerLimit?: number;
}

export function validateUpdatePromotion(input: UpdatePromotionSpec): PromotionChanges {
  const changes: PromotionChanges = {};
  const name = optionalText(input.name, 'input.name');
  if (name !== undefined) changes.name = name;
  if (input.active !== null && input.active !== undefined) changes.active = input.active;
  const endsAt = optionalDate(input.endsAt, 'input.endsAt');
  if (endsAt) changes.endsAt = endsAt;
  const usageLimit = optionalInt(input.usageLimit, 'input.usageLimit', 1, MAX_USAGE_LIMIT);
  if (usageLimit !== null) changes.usageLimit = usageLimit;
  const perCustomerLimit = optionalInt(input.perCustomerLimit, 'input.perCustomerLimit', 1, MAX_USAGE_LIMIT);
  if (perCustomerLimit !== null) changes.perCustomerLimit = perCustomerLimit;
  return changes;
}
