// The outbound webhook records of merchant.*: each event once (webhook_events, its payload the
// exact JSON body receivers get), one delivery per event and endpoint (webhook_deliveries, the
// retry state: PENDING → SUCCEEDED | FAILED, see webhook-delivery.states.ts), and every HTTP
// attempt (webhook_delivery_attempts). The hot paths (intake, attempts) write with plain SQL
// (webhook-intake.service.ts, delivery-recorder.ts); these entities serve the reads.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { WebhookDeliveryStatus } from './webhook-delivery.states.js';

@Entity({ name: 'webhook_events' })
export class WebhookEventEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text' }) type: string;
  /** The body as delivered (json, not jsonb: its bytes are kept as written). */
  @Column({ type: 'json' }) payload: Record<string, unknown>;
  @Column({ type: 'timestamptz' }) created: Date;
  /** `<schema>:<outbox id>` of the producer's row. */
  @Column({ type: 'text' }) source: string;
  @Column({ type: 'timestamptz', name: 'recorded_at' }) recordedAt: Date;
}

@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'event_id' }) eventId: string;
  @Column({ type: 'text', name: 'endpoint_id' }) endpointId: string;
  /** The event's merchant. */
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  /** The endpoint's owning agent, for a delivery to an agent's endpoint (no merchant sees it). */
  @Column({ type: 'text', name: 'agent_id', nullable: true }) agentId: string | null;
  @Column({ type: 'text' }) status: WebhookDeliveryStatus;
  /** Every attempt ever made. */
  @Column({ type: 'int' }) attempts: number;
  /** Attempts since the delivery was (re-)armed: the retry schedule's step. */
  @Column({ type: 'int', name: 'round_attempts' }) roundAttempts: number;
  /** Bumped whenever an attempt is scheduled: a job carrying an older one is stale. */
  @Column({ type: 'int' }) seq: number;
  /** Start of the current retry window (the event's time, or the replay's). */
  @Column({ type: 'timestamptz', name: 'armed_at' }) armedAt: Date;
  @Column({ type: 'timestamptz', name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  @Column({ type: 'timestamptz', name: 'locked_until', nullable: true }) lockedUntil: Date | null;
  @Column({ type: 'timestamptz', name: 'last_attempt_at', nullable: true }) lastAttemptAt: Date | null;
  @Column({ type: 'int', name: 'last_status_code', nullable: true }) lastStatusCode: number | null;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt: Date | null;
}

@Entity({ name: 'webhook_delivery_attempts' })
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'text', name: 'delivery_id' }) deliveryId: string;
  @Column({ type: 'timestamptz', name: 'attempted_at' }) attemptedAt: Date;
  @Column({ type: 'text' }) url: string;
  @Column({ type: 'boolean' }) succeeded: boolean;
  @Column({ type: 'int', name: 'status_code', nullable: true }) statusCode: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'int', name: 'latency_ms' }) latencyMs: number;
  @Column({ type: 'text', name: 'response_excerpt', nullable: true }) responseExcerpt: string | null;
}
