// A merchant's account at the sandbox, as Handoff set it up: where its webhooks go, the secret
// they are signed with, the event types its endpoint takes, and the hash of its secret key
// (the key itself is never stored).
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'accounts' })
export class AccountEntity {
  /** Handoff's merchant id: the account is the merchant's. */
  @PrimaryColumn({ name: 'merchant_id', type: 'text' }) merchantId: string;
  /** sha256 of the secret key, hex. */
  @Column({ name: 'secret_key_hash', type: 'text' }) secretKeyHash: string;
  @Column({ name: 'webhook_url', type: 'text' }) webhookUrl: string;
  @Column({ name: 'webhook_secret', type: 'text' }) webhookSecret: string;
  /** The types the endpoint is subscribed to, as a Stripe endpoint's `enabled_events`. */
  @Column({ name: 'enabled_events', type: 'text', array: true }) enabledEvents: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
