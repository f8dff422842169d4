// A merchant's checkout settings, capabilities and transaction limits (merchant.checkout_settings):
// one row per merchant, each part a document changed field by field; a part never set is null
// and reads as its defaults (shared/src/contracts/checkout-settings.contract.ts).
import type { CheckoutCapabilitiesConfig, CheckoutSettingsConfig, TransactionLimitsConfig } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'checkout_settings' })
export class CheckoutSettingsEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'jsonb', nullable: true }) settings: CheckoutSettingsConfig | null;
  @Column({ type: 'timestamptz', name: 'settings_updated_at', nullable: true }) settingsUpdatedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) capabilities: CheckoutCapabilitiesConfig | null;
  @Column({ type: 'timestamptz', name: 'capabilities_updated_at', nullable: true }) capabilitiesUpdatedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) limits: TransactionLimitsConfig | null;
  @Column({ type: 'timestamptz', name: 'limits_updated_at', nullable: true }) limitsUpdatedAt: Date | null;
  /** Who changed each part last: `<principal kind>:<key id>` (admin:…, merchant:…). */
  @Column({ type: 'text', name: 'settings_updated_by', nullable: true }) settingsUpdatedBy: string | null;
  @Column({ type: 'text', name: 'capabilities_updated_by', nullable: true }) capabilitiesUpdatedBy: string | null;
  @Column({ type: 'text', name: 'limits_updated_by', nullable: true }) limitsUpdatedBy: string | null;
}
