// A merchant's tax configuration (merchant.tax_configs): one row per merchant, replaced whole by
// setTaxConfig. `rates` is the internal contract's TaxRateConfig[] (every rate has a category).
import type { TaxRateConfig } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tax_configs' })
export class TaxConfigEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'boolean', name: 'prices_include_tax' }) pricesIncludeTax: boolean;
  @Column({ type: 'text', name: 'default_category' }) defaultCategory: string;
  @Column({ type: 'jsonb' }) rates: TaxRateConfig[];
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
