// A billing subscription's lifecycle and its invoices' (issue 22; docs/recurring.md), as state
// tables (shared/src/state): every move a command or job makes is checked against them
// (assertTransition → INVALID_STATE_TRANSITION), none is written around them.
//
// Subscription (Stripe's statuses, upper case):
//   INCOMPLETE  its first payment is not made yet (a first charge needing action off the hosted
//               page, Stripe Billing's own incomplete subscriptions); ACTIVE once paid, or CANCELED.
//   TRIALING    started with a trial: nothing charged, the card saved; the first period's invoice
//               is charged at trial end → ACTIVE, or PAST_DUE when it fails.
//   ACTIVE      the current period is paid. A failed renewal → PAST_DUE.
//   PAST_DUE    a renewal failed; dunning retries it → ACTIVE when paid, UNPAID (kept, not
//               charged) or CANCELED when the retries run out, as the merchant configured.
//   UNPAID      retries exhausted, kept: a new card or a paid invoice → ACTIVE.
//   PAUSED      paused by the merchant (lifecycle/pause.ts): not renewed (not in RENEWING_STATUSES,
//               next_renewal_at null); resumed → ACTIVE, or CANCELED. Only an ACTIVE one pauses.
//   CANCELED    terminal.
// Invoice: DRAFT (being built) → OPEN (to be charged) → PAID; OPEN → VOID (never to be charged)
// or UNCOLLECTIBLE (dunning gave up; may still be paid or voided later).
import { stateTable } from '@handoff/shared';

export const BillingSubscriptionStatus = {
  TRIALING: 'TRIALING',
  ACTIVE: 'ACTIVE',
  PAST_DUE: 'PAST_DUE',
  CANCELED: 'CANCELED',
  UNPAID: 'UNPAID',
  INCOMPLETE: 'INCOMPLETE',
  PAUSED: 'PAUSED',
} as const;
export type BillingSubscriptionStatus = (typeof BillingSubscriptionStatus)[keyof typeof BillingSubscriptionStatus];

const B = BillingSubscriptionStatus;

export const billingSubscriptionStates = stateTable<BillingSubscriptionStatus>('billing_subscription', {
  INCOMPLETE: [B.ACTIVE, B.CANCELED],
  TRIALING: [B.ACTIVE, B.PAST_DUE, B.CANCELED],
  ACTIVE: [B.PAST_DUE, B.CANCELED, B.PAUSED],
  PAST_DUE: [B.ACTIVE, B.UNPAID, B.CANCELED],
  UNPAID: [B.ACTIVE, B.CANCELED],
  PAUSED: [B.ACTIVE, B.CANCELED],
  CANCELED: [],
});

/** The statuses a renewal is scheduled in (the scheduler's scan; the due index's predicate). */
export const RENEWING_STATUSES: readonly BillingSubscriptionStatus[] = [B.TRIALING, B.ACTIVE, B.PAST_DUE];

export const BillingInvoiceStatus = {
  DRAFT: 'DRAFT',
  OPEN: 'OPEN',
  PAID: 'PAID',
  VOID: 'VOID',
  UNCOLLECTIBLE: 'UNCOLLECTIBLE',
} as const;
export type BillingInvoiceStatus = (typeof BillingInvoiceStatus)[keyof typeof BillingInvoiceStatus];

const I = BillingInvoiceStatus;

export const billingInvoiceStates = stateTable<BillingInvoiceStatus>('billing_invoice', {
  DRAFT: [I.OPEN, I.VOID],
  OPEN: [I.PAID, I.VOID, I.UNCOLLECTIBLE],
  UNCOLLECTIBLE: [I.PAID, I.VOID],
  PAID: [],
  VOID: [],
});
