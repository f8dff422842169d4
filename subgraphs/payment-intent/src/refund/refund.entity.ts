// A refund of (part of) a payment intent's captured amount, asked through the API or reported
// by the PSP (a refund made in its dashboard, or the sandbox's admin trigger).
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

@Entity({ name: 'refunds' })
export class RefundEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'payment_intent_id', type: 'text' })
  paymentIntentId: string;

  @MinorUnitsColumn({ name: 'amount_minor' })
  amountMinor: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'text' })
  status: RefundStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'provider_refund_id', type: 'text', nullable: true })
  providerRefundId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
