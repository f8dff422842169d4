// Remediation's tables (migration 1795500700000): a checkout's failures (one open per session)
// with how each was resolved, and the support notes on a session. Actors are `{ kind, id }`
// (knownActorOf, @handoff/shared).
import type { ActorKind } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type FailureCategory = 'payment_declined' | 'inventory_shortfall' | 'fraud_block' | 'validation' | 'payment_amount_mismatch';
export const FAILURE_CATEGORIES: readonly FailureCategory[] = ['payment_declined', 'inventory_shortfall', 'fraud_block', 'validation', 'payment_amount_mismatch'];

export type ResolveAction = 'retry_payment' | 'apply_discount' | 'manual_override' | 'cancel';
/** A resolution: a merchant's or admin's action, or the session completing on its own. */
export type Resolution = ResolveAction | 'completed';

@Entity({ name: 'checkout_failures' })
export class CheckoutFailureEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'text' }) category: FailureCategory;
  /** `payment_declined:insufficient_funds`, `validation`, `inventory_shortfall`, … */
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'text' }) message: string;
  /** What the failure carried: blockers, the decline's code, a mismatch's amounts. */
  @Column({ type: 'jsonb' }) detail: Record<string, unknown>;
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true }) paymentIntentId: string | null;
  @Column({ type: 'integer' }) occurrences: number;
  @Column({ name: 'first_failed_at', type: 'timestamptz' }) firstFailedAt: Date;
  @Column({ name: 'last_failed_at', type: 'timestamptz' }) lastFailedAt: Date;
  @Column({ name: 'recorded_by_kind', type: 'text' }) recordedByKind: ActorKind;
  @Column({ name: 'recorded_by_id', type: 'text' }) recordedById: string;
  @Column({ name: 'last_source_event', type: 'text', nullable: true }) lastSourceEvent: string | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ name: 'resolved_by_kind', type: 'text', nullable: true }) resolvedByKind: ActorKind | null;
  @Column({ name: 'resolved_by_id', type: 'text', nullable: true }) resolvedById: string | null;
  @Column({ type: 'text', nullable: true }) resolution: Resolution | null;
  @Column({ name: 'resolution_note', type: 'text', nullable: true }) resolutionNote: string | null;
  /** apply_discount: the code; retry_payment of an expired session: the replacement session. */
  @Column({ name: 'resolution_detail', type: 'jsonb', nullable: true }) resolutionDetail: Record<string, unknown> | null;
}

@Entity({ name: 'checkout_support_notes' })
export class CheckoutSupportNoteEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'text' }) note: string;
  @Column({ name: 'author_kind', type: 'text' }) authorKind: ActorKind;
  @Column({ name: 'author_id', type: 'text' }) authorId: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
