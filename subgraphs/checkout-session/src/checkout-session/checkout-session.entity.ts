// A checkout session row in `checkout.checkout_sessions`. Amounts are minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CheckoutMode, CheckoutSessionStatus } from './checkout-session.enums.js';

@Entity({ name: 'checkout_sessions' })
export class CheckoutSessionEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The agent whose checkout created the session; null for merchant-created sessions. */
  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId: string | null;

  @Column({ type: 'text' })
  status: CheckoutSessionStatus;

  @Column({ type: 'text' })
  mode: CheckoutMode;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'subtotal_minor' })
  subtotalMinor: number;

  @MinorUnitsColumn({ name: 'discount_minor' })
  discountMinor: number;

  @MinorUnitsColumn({ name: 'tax_minor' })
  taxMinor: number;

  @MinorUnitsColumn({ name: 'shipping_minor' })
  shippingMinor: number;

  @MinorUnitsColumn({ name: 'total_minor' })
  totalMinor: number;

  @Column({ name: 'success_url', type: 'text', nullable: true })
  successUrl: string | null;

  @Column({ name: 'cancel_url', type: 'text', nullable: true })
  cancelUrl: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Optimistic concurrency: every change increments it (and may require an expected value). */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
