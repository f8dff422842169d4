// A promotion row in merchant.promotions: a code (unique per merchant, case-insensitively) or an
// automatic discount, percentage or fixed amount, per order or per offers, with its window,
// limits and stacking rule. Redemptions are counted by checkout-session, not here.
import { MinorUnitsColumn, type Money, type PromotionConfig, type PromotionScope, type PromotionStacking } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'promotions' })
export class PromotionEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  /** Upper-cased; null for an automatic promotion. */
  @Column({ type: 'text', nullable: true }) code: string | null;
  @Column({ type: 'boolean' }) automatic: boolean;
  @Column({ type: 'text', nullable: true }) name: string | null;
  @Column({ type: 'int', name: 'percent_off_bps', nullable: true }) percentOffBps: number | null;
  @MinorUnitsColumn({ name: 'amount_off_minor', nullable: true }) amountOffMinor: number | null;
  /** The merchant's currency: of amountOff and minSubtotal. */
  @Column({ type: 'text' }) currency: string;
  @Column({ type: 'text' }) scope: PromotionScope;
  @Column({ type: 'text', name: 'offer_ids', array: true }) offerIds: string[];
  @MinorUnitsColumn({ name: 'min_subtotal_minor', nullable: true }) minSubtotalMinor: number | null;
  @Column({ type: 'timestamptz', name: 'starts_at', nullable: true }) startsAt: Date | null;
  @Column({ type: 'timestamptz', name: 'ends_at', nullable: true }) endsAt: Date | null;
  @Column({ type: 'int', name: 'usage_limit', nullable: true }) usageLimit: number | null;
  @Column({ type: 'int', name: 'per_customer_limit', nullable: true }) perCustomerLimit: number | null;
  @Column({ type: 'text' }) stacking: PromotionStacking;
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

const moneyOrNull = (minor: number | null, currency: string): Money | null => (minor === null ? null : { amountMinor: minor, currency });

export const amountOffOf = (p: PromotionEntity) => moneyOrNull(p.amountOffMinor, p.currency);
export const minSubtotalOf = (p: PromotionEntity) => moneyOrNull(p.minSubtotalMinor, p.currency);

/** The promotion as the internal contract (and events) carry it. */
export function promotionConfigOf(p: PromotionEntity): PromotionConfig {
  return {
    id: p.id,
    code: p.code,
    automatic: p.automatic,
    percentOffBasisPoints: p.percentOffBps,
    amountOff: amountOffOf(p),
    scope: p.scope,
    offerIds: [...p.offerIds],
    minSubtotal: minSubtotalOf(p),
    startsAt: p.startsAt?.toISOString() ?? null,
    endsAt: p.endsAt?.toISOString() ?? null,
    usageLimit: p.usageLimit,
    perCustomerLimit: p.perCustomerLimit,
    stacking: p.stacking,
  };
}

export function promotionSnapshot(p: PromotionEntity): Record<string, unknown> {
  return { ...promotionConfigOf(p), merchantId: p.merchantId, name: p.name, active: p.active };
}
