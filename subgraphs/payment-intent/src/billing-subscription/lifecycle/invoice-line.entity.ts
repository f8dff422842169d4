// What an invoice is made of (issue 22 lifecycle; migration 1795722400000): SUBSCRIPTION lines
// (an item × quantity for the invoice's period, written when the renewal invoices it), PRORATION
// lines (a mid-period price or quantity change: the credit for the unused time of the old
// amount, negative, and the charge for the remaining time of the new one) and CREDIT_CARRIED (a
// credit larger than an invoice, carried to the next). A line without an invoice is pending: the
// next renewal's invoice takes it. Amounts are signed integer minor units of the subscription's currency.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const InvoiceLineKind = { SUBSCRIPTION: 'SUBSCRIPTION', PRORATION: 'PRORATION', CREDIT_CARRIED: 'CREDIT_CARRIED' } as const;
export type InvoiceLineKind = (typeof InvoiceLineKind)[keyof typeof InvoiceLineKind];

@Entity({ name: 'billing_invoice_lines' })
export class BillingInvoiceLineEntity {
  /** `bil_` + ULID. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  /** The invoice it is on; null while pending (the next renewal's invoice takes it). */
  @Column({ name: 'invoice_id', type: 'text', nullable: true }) invoiceId: string | null;
  @Column({ type: 'text' }) kind: InvoiceLineKind;
  @Column({ type: 'text' }) description: string;
  /** The subscription item it is about (its position), when it is about one. */
  @Column({ name: 'item_position', type: 'integer', nullable: true }) itemPosition: number | null;
  @Column({ type: 'integer', nullable: true }) quantity: number | null;
  @MinorUnitsColumn({ name: 'unit_amount_minor', nullable: true }) unitAmountMinor: number | null;
  /** Signed: a credit is negative. */
  @MinorUnitsColumn({ name: 'amount_minor' }) amountMinor: number;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'period_start', type: 'timestamptz', nullable: true }) periodStart: Date | null;
  @Column({ name: 'period_end', type: 'timestamptz', nullable: true }) periodEnd: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
