// An order a finalization created (`checkout.orders`, one per checkout session) and the
// finalization jobs (`checkout.finalization_jobs`: async finalizations and rollbacks). Amounts
// are minor units of `currency`, copied from the calculation snapshot the order was made from.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type OrderStatus = 'COMPLETED' | 'ROLLING_BACK' | 'ROLLED_BACK';
export type OrderPaymentStatus = 'captured' | 'authorized';

/** One line of the order, as the calculation priced it. */
export interface OrderLine {
  lineId: string;
  name: string;
  offerId: string | null;
  quantity: number;
  unitAmountMinor: number;
  discountMinor: number;
  taxMinor: number;
  totalMinor: number;
}

/** What one finalization or compensation step did (the saga's record, also in the timeline). */
export interface OrderStepRecord {
  step: string;
  action: 'finalized' | 'compensated' | 'compensation_failed';
  at: string;
  detail: Record<string, unknown>;
}

@Entity({ name: 'orders' })
export class OrderEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'receipt_id', type: 'text' }) receiptId: string;
  @Column({ type: 'text' }) status: OrderStatus;
  /** False when the finalization asked for no order handoff (create_order: false): no order.created webhook. */
  @Column({ name: 'handed_off', type: 'boolean' }) handedOff: boolean;
  /** Null for a session of a merchant that prices nothing beyond its lines (paid at the lines' total, never calculated). */
  @Column({ name: 'calculation_id', type: 'text', nullable: true }) calculationId: string | null;
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true }) paymentIntentId: string | null;
  @Column({ name: 'payment_status', type: 'text' }) paymentStatus: OrderPaymentStatus;
  @Column({ type: 'char', length: 3 }) currency: string;
  @MinorUnitsColumn({ name: 'sub_total_minor' }) subTotalMinor: number;
  @MinorUnitsColumn({ name: 'discount_total_minor' }) discountTotalMinor: number;
  @MinorUnitsColumn({ name: 'tax_total_minor' }) taxTotalMinor: number;
  @MinorUnitsColumn({ name: 'shipping_total_minor' }) shippingTotalMinor: number;
  @MinorUnitsColumn({ name: 'grand_total_minor' }) grandTotalMinor: number;
  @Column({ type: 'jsonb' }) lines: OrderLine[];
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" }) steps: OrderStepRecord[];
  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'rollback_reason', type: 'text', nullable: true }) rollbackReason: string | null;
  @Column({ name: 'rolled_back_at', type: 'timestamptz', nullable: true }) rolledBackAt: Date | null;
}

export type FinalizationJobKind = 'FINALIZE' | 'ROLLBACK';
export type FinalizationJobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

@Entity({ name: 'finalization_jobs' })
export class FinalizationJobEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'text' }) kind: FinalizationJobKind;
  @Column({ type: 'text' }) status: FinalizationJobStatus;
  @Column({ name: 'create_order', type: 'boolean', default: true }) createOrder: boolean;
  @Column({ name: 'order_id', type: 'text', nullable: true }) orderId: string | null;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
