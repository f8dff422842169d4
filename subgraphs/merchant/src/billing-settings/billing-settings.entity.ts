// A merchant's billing (dunning) settings: one row per merchant that set them (merchant.billing_settings).
import type { DunningFinalStatus } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'billing_settings' })
export class BillingSettingsEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'int', array: true, name: 'dunning_retry_days' }) dunningRetryDays: number[];
  @Column({ type: 'text', name: 'dunning_final_status' }) dunningFinalStatus: DunningFinalStatus;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'text', name: 'updated_by', nullable: true }) updatedBy: string | null;
}
