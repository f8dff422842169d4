// A payment intent row in `payment.payment_intents`. Amounts are minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';

@Entity({ name: 'payment_intents' })
export class PaymentIntentEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The checkout session it pays (owned by the checkout-session subgraph), if any. */
  @Column({ name: 'checkout_session_id', type: 'text', nullable: true })
  checkoutSessionId: string | null;

  @Column({ type: 'text' })
  status: PaymentIntentStatus;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'amount_minor' })
  amountMinor: number;

  @MinorUnitsColumn({ name: 'amount_captured_minor' })
  amountCapturedMinor: number;

  @MinorUnitsColumn({ name: 'amount_refunded_minor' })
  amountRefundedMinor: number;

  @Column({ name: 'capture_mode', type: 'text' })
  captureMode: CaptureMode;

  @Column({ type: 'text' })
  provider: PaymentProvider;

  /** The PSP's own id (the `data.object.id` of its webhooks); null until the PSP has one. */
  @Column({ name: 'provider_payment_id', type: 'text', nullable: true })
  providerPaymentId: string | null;

  /** Includes the attribution (`aap_*`) keys. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, unknown>;

  /** Optimistic concurrency: every change increments it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
