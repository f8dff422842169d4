// A checkout session's seed 003 terms and payment commitment (`checkout.checkout_session_terms`,
// migration 1795300500000): one row per session that has any; none = the defaults (terms.ts).
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { MinorUnitsColumn } from '@handoff/shared';

export type OwnerKind = 'USER' | 'GUEST';
export type CaptureModeValue = 'AUTOMATIC' | 'MANUAL';

@Entity({ name: 'checkout_session_terms' })
export class CheckoutSessionTermsEntity {
  @PrimaryColumn({ name: 'checkout_session_id', type: 'text' })
  checkoutSessionId: string;

  @Column({ name: 'owner_type', type: 'text', nullable: true })
  ownerType: OwnerKind | null;

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId: string | null;

  @Column({ type: 'text', nullable: true })
  channel: string | null;

  @Column({ name: 'cart_id', type: 'text', nullable: true })
  cartId: string | null;

  @Column({ name: 'capture_mode', type: 'text', default: 'AUTOMATIC' })
  captureMode: CaptureModeValue;

  @Column({ name: 'require_billing_address', type: 'boolean', default: false })
  requireBillingAddress: boolean;

  /** The calculation the session committed to paying (null: an unpriced session, or not committed). */
  @Column({ name: 'payment_calculation_id', type: 'text', nullable: true })
  paymentCalculationId: string | null;

  /** The amount the payment was bound to when the session committed to paying. */
  @MinorUnitsColumn({ name: 'payment_amount_minor', nullable: true })
  paymentAmountMinor: number | null;

  @Column({ name: 'payment_committed_at', type: 'timestamptz', nullable: true })
  paymentCommittedAt: Date | null;

  /** Confirmation attempts since the session opened, or since a resolution gave it new ones (payment-rules.ts). */
  @Column({ name: 'payment_attempts', type: 'integer', default: 0 })
  paymentAttempts: number;
}
