// A line of a checkout session, in `checkout.checkout_line_items`; amounts in the session's currency.
import { MinorUnitsColumn, type RecurringInterval } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'checkout_line_items' })
export class LineItemEntity {
  @PrimaryColumn({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @PrimaryColumn({ type: 'integer' }) position: number;
  @Column({ type: 'text' }) name: string;
  @MinorUnitsColumn({ name: 'unit_amount_minor' }) unitAmountMinor: number;
  @Column({ type: 'integer' }) quantity: number;
  @MinorUnitsColumn({ name: 'total_minor' }) totalMinor: number;
  @Column({ name: 'offer_id', type: 'text', nullable: true }) offerId: string | null;
  /** The effective tax category, resolved when the line was written; null only on lines older than it (migration 1795300600000). */
  @Column({ name: 'tax_category', type: 'text', nullable: true }) taxCategory: string | null;
  /** The merchant's stock-keeping unit, as given. */
  @Column({ type: 'text', nullable: true }) sku: string | null;
  /** A recurring line's price (issue 22, migration 1795722000000): all three null on a one-time line. */
  @Column({ name: 'recurring_interval', type: 'text', nullable: true }) recurringInterval: RecurringInterval | null;
  @Column({ name: 'recurring_interval_count', type: 'integer', nullable: true }) recurringIntervalCount: number | null;
  @Column({ name: 'recurring_trial_days', type: 'integer', nullable: true }) recurringTrialDays: number | null;
}
