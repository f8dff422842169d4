// A merchant's connection to its payment processor (merchant.payment_connectors), one per
// merchant: reconnecting replaces it. Secrets are stored only as AES-256-GCM ciphertext (crypto.ts).
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PaymentProvider } from './payment-provider.js';

@Entity({ name: 'payment_connectors' })
export class PaymentConnectorEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text' }) provider: PaymentProvider;
  @Column({ type: 'text' }) status: string;
  /** The PSP API key (STRIPE), encrypted; null for TEST. */
  @Column({ type: 'text', name: 'secret_key_ciphertext', nullable: true }) secretKeyCiphertext: string | null;
  /** The webhook signing secret, encrypted; generated for TEST, optional for STRIPE. */
  @Column({ type: 'text', name: 'webhook_secret_ciphertext', nullable: true }) webhookSecretCiphertext: string | null;
  /** STRIPE: the publishable key (pk_…) the hosted page loads Stripe.js with; public, so in clear. Null for TEST or when not given. */
  @Column({ type: 'text', name: 'publishable_key', nullable: true }) publishableKey: string | null;
  @Column({ type: 'timestamptz', name: 'connected_at' }) connectedAt: Date;
}
