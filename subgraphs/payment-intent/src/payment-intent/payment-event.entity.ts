// One row of a payment intent's timeline, written in the transaction of the change it records.
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'payment_events' })
export class PaymentEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'payment_intent_id', type: 'text' })
  paymentIntentId: string;

  /** e.g. `payment_intent.succeeded`, `refund.succeeded`, `psp_event.dispute_opened`. */
  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
