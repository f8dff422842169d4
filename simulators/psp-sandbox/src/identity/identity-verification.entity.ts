// An identity verification at the sandbox's KYC provider (Stripe Identity's verification session,
// reduced): created by a merchant with its own reference, a callback URL and the secret the
// sandbox signs its callback with; completed (verified or failed) by the person on its page.
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type IdentityVerificationStatus = 'requires_input' | 'verified' | 'failed';

@Entity({ name: 'identity_verifications' })
export class IdentityVerificationEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'text' }) reference: string;
  @Column({ name: 'callback_url', type: 'text' }) callbackUrl: string;
  @Column({ name: 'callback_secret', type: 'text' }) callbackSecret: string;
  @Column({ type: 'text' }) status: IdentityVerificationStatus;
  /** The callback's event id, once completed: a resent callback carries the same one. */
  @Column({ name: 'callback_event_id', type: 'text', nullable: true }) callbackEventId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
