// A merchant's or an agent's webhook endpoint (merchant.webhook_endpoints; exactly one owner): where its events are POSTed, which
// events (names from WEBHOOK_EVENT_TYPES, or `*`), and the signing secret, stored only as
// AES-256-GCM ciphertext (payment-connector/crypto.ts). For 24 hours after a rotation the previous
// secret is kept too, and deliveries carry a signature with each. Deleting keeps the row
// (deleted_at) so its delivery log stays whole; a deleted endpoint is seen by no one.
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebhookEndpointDisabledReason = 'MANUAL' | 'FAILING';

@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  /** The owning merchant; null for an agent's endpoint. */
  @Column({ type: 'text', name: 'merchant_id', nullable: true }) merchantId: string | null;
  /** The owning agent (its sessions' events); null for a merchant's endpoint. */
  @Column({ type: 'text', name: 'agent_id', nullable: true }) agentId: string | null;
  @Column({ type: 'text' }) url: string;
  @Column({ type: 'text', array: true }) events: string[];
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'boolean' }) enabled: boolean;
  /** MANUAL: the merchant disabled it; FAILING: Handoff did, after 5 days of failed deliveries. */
  @Column({ type: 'text', name: 'disabled_reason', nullable: true }) disabledReason: WebhookEndpointDisabledReason | null;
  @Column({ type: 'text', name: 'secret_ciphertext' }) secretCiphertext: string;
  @Column({ type: 'text', name: 'previous_secret_ciphertext', nullable: true }) previousSecretCiphertext: string | null;
  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', nullable: true }) previousSecretExpiresAt: Date | null;
  /** When the current run of failed deliveries began; null after a success. */
  @Column({ type: 'timestamptz', name: 'failing_since', nullable: true }) failingSince: Date | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true }) deletedAt: Date | null;
}

/** The endpoint as events and webhook bodies show it (snake_case, never a secret). */
export function endpointObject(e: WebhookEndpointEntity): Record<string, unknown> {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    url: e.url,
    events: [...e.events],
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabledReason?.toLowerCase() ?? null,
    failing_since: e.failingSince ? Math.floor(e.failingSince.getTime() / 1000) : null,
    created: Math.floor(e.createdAt.getTime() / 1000),
  };
}
