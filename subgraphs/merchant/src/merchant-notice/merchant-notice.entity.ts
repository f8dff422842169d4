// What Handoff tells a merchant about its account (merchant.merchant_notices): today, that one of
// its webhook endpoints was disabled after 5 days of failed deliveries.
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const MerchantNoticeKind = {
  webhookEndpointDisabled: 'webhook_endpoint.disabled',
} as const;
export type MerchantNoticeKind = (typeof MerchantNoticeKind)[keyof typeof MerchantNoticeKind];

@Entity({ name: 'merchant_notices' })
export class MerchantNoticeEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text' }) kind: MerchantNoticeKind;
  /** What it is about, e.g. the endpoint's id. */
  @Column({ type: 'text', name: 'subject_id', nullable: true }) subjectId: string | null;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
