// An offer row in merchant.offers: something a merchant sells, at a price in its default currency.
import { MinorUnitsColumn, type Money, type RecurringPrice } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'offers' })
export class OfferEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text' }) name: string;
  /** The brand or provider shown to buyers; the merchant's name unless given. */
  @Column({ type: 'text' }) provider: string;
  /** What buyers and agents read about it (≤ 2000 characters); searched with the name and provider. */
  @Column({ type: 'text', nullable: true }) description: string | null;
  @MinorUnitsColumn({ name: 'price_minor' }) priceMinor: number;
  @Column({ type: 'text', name: 'price_currency' }) priceCurrency: string;
  @Column({ type: 'boolean' }) active: boolean;
  /** The tax category (tax-config); null: the merchant's default category. */
  @Column({ type: 'text', name: 'tax_category', nullable: true }) taxCategory: string | null;
  /** Sold by subscription (issue 22): its checkout lines bill on this cycle unless they give their own; null: sold once. */
  @Column({ type: 'jsonb', nullable: true }) recurring: RecurringPrice | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

export const priceOf = (o: OfferEntity): Money => ({ amountMinor: o.priceMinor, currency: o.priceCurrency });

export function offerSnapshot(o: OfferEntity): Record<string, unknown> {
  return {
    offerId: o.id,
    merchantId: o.merchantId,
    name: o.name,
    provider: o.provider,
    description: o.description ?? null,
    price: priceOf(o),
    active: o.active,
    taxCategory: o.taxCategory,
    recurring: o.recurring ?? null,
  };
}
