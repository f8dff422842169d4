// A hosted checkout link (`checkout.hosted_links`, seed 003 §12): its id is what a redirect
// return asks about (GET /v1/checkout/hosted/{hostedId}/status); its URL carries a token that
// expires with it.
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'hosted_links' })
export class HostedLinkEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
