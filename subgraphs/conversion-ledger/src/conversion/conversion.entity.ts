// A conversion row in `ledger.conversions`. The transaction value is minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';

@Entity({ name: 'conversions' })
export class ConversionEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The recommending agent; null when a merchant reports a conversion no agent earned. */
  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId: string | null;

  @Column({ type: 'text' })
  status: ConversionStatus;

  @Column({ name: 'conversion_path', type: 'text' })
  conversionPath: ConversionPath;

  /** `verified`, `pending_validation` or `flagged:<reason>`. */
  @Column({ type: 'text' })
  verification: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'transaction_value_minor' })
  transactionValueMinor: number;

  @Column({ name: 'order_reference', type: 'text', nullable: true })
  orderReference: string | null;

  @Column({ name: 'validation_period_days', type: 'integer' })
  validationPeriodDays: number;

  @Column({ name: 'validates_at', type: 'timestamptz' })
  validatesAt: Date;

  /** Optimistic concurrency: every change increments it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
