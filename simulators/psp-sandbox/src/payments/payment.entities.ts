// The sandbox PSP's own records (schema `sandbox`): its payments (as a real PSP keeps them,
// apart from Handoff's payment intents), its tokenized cards (brand, last 4 and test behaviour;
// never the number) and its refunds.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CardBehaviour } from '../test-cards.js';

export type SandboxStatus =
  | 'requires_payment_method'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export interface SandboxDispute {
  id: string;
  status: 'needs_response' | 'won' | 'lost';
  amount: number;
}

@Entity({ name: 'payment_methods' })
export class SandboxPaymentMethodEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) brand: string;
  @Column({ type: 'char', length: 4 }) last4: string;
  @Column({ type: 'text' }) behaviour: CardBehaviour;
  /** Stripe's `card.fingerprint`: one per card number (null for cards tokenized before it was kept). */
  @Column({ type: 'text', nullable: true }) fingerprint: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ name: 'payments' })
export class SandboxPaymentEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'idempotency_key', type: 'text' }) idempotencyKey: string;
  @MinorUnitsColumn({ name: 'amount_minor' }) amountMinor: number;
  @MinorUnitsColumn({ name: 'amount_received_minor' }) amountReceivedMinor: number;
  @MinorUnitsColumn({ name: 'amount_refunded_minor' }) amountRefundedMinor: number;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'capture_method', type: 'text' }) captureMethod: 'automatic' | 'manual';
  @Column({ type: 'text' }) status: SandboxStatus;
  @Column({ name: 'payment_method_id', type: 'text', nullable: true }) paymentMethodId: string | null;
  @Column({ name: 'charge_id', type: 'text', nullable: true }) chargeId: string | null;
  @Column({ type: 'jsonb' }) metadata: Record<string, string>;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'last_payment_error', type: 'jsonb', nullable: true })
  lastPaymentError: { code: string; decline_code: string | null; message: string } | null;
  @Column({ type: 'jsonb', nullable: true }) dispute: SandboxDispute | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A refund the sandbox made; its id is derived from (payment, idempotency key) when one was given. */
@Entity({ name: 'refunds' })
export class SandboxRefundEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId: string;
  @MinorUnitsColumn({ name: 'amount_minor' }) amountMinor: number;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
