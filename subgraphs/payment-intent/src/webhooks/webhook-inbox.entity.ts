// A verified PSP event, stored (unique on provider + event id) before the webhook is answered.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'webhook_inbox' })
export class WebhookInboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** `test` or `stripe`, as in the URL. */
  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  /** The PSP payment the event is about, when it names one. */
  @Column({ name: 'provider_payment_id', type: 'text', nullable: true })
  providerPaymentId: string | null;

  /** The event as the PSP sent it (verified). */
  @Column({ type: 'jsonb' })
  body: Record<string, unknown>;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  /** applied | no_effect:<why> */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;
}
