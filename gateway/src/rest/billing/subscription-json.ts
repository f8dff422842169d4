// The billing subscription's GraphQL selection and its REST shape, shared by the read routes
// (index.ts) and the lifecycle commands (commands.ts): a module of its own, so they do not import each other.

const M = '{ amountMinor currency }';
const LINE = `kind description itemPosition quantity unitAmount ${M} amount ${M} periodStart periodEnd`;
export const FIELDS = `id status currency checkoutSession { id } merchant { id } recurring { interval intervalCount trialDays }
  items { name offerId quantity unitAmount ${M} }
  currentPeriod currentPeriodStart currentPeriodEnd nextRenewalAt trialStart trialEnd cancelAtPeriodEnd canceledAt createdAt updatedAt version
  paymentMethod { brand last4 provider }
  invoices { id period status amount ${M} periodStart periodEnd attempts nextAttemptAt paidAt createdAt paymentIntent { id } lines { ${LINE} } }
  pendingInvoiceLines { ${LINE} }`;

interface MoneyJson {
  amountMinor: number;
  currency: string;
}
interface LineJson {
  kind: string;
  description: string;
  itemPosition: number | null;
  quantity: number | null;
  unitAmount: MoneyJson | null;
  amount: MoneyJson;
  periodStart: string | null;
  periodEnd: string | null;
}
export interface SubscriptionJson {
  id: string;
  status: string;
  currency: string;
  checkoutSession: { id: string };
  merchant: { id: string };
  recurring: { interval: string; intervalCount: number; trialDays: number };
  items: Array<{ name: string; offerId: string | null; quantity: number; unitAmount: MoneyJson }>;
  currentPeriod: number;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  nextRenewalAt: string | null;
  trialStart: string | null;
  trialEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  paymentMethod: { brand: string | null; last4: string | null; provider: string } | null;
  invoices: Array<{
    id: string;
    period: number;
    status: string;
    amount: MoneyJson;
    periodStart: string;
    periodEnd: string;
    attempts: number;
    nextAttemptAt: string | null;
    paidAt: string | null;
    createdAt: string;
    paymentIntent: { id: string } | null;
    lines: LineJson[];
  }>;
  pendingInvoiceLines: LineJson[];
}

const unix = (iso: string | null) => (iso === null ? null : Math.floor(Date.parse(iso) / 1000));
const lineJson = (l: LineJson) => ({
  kind: l.kind.toLowerCase(),
  description: l.description,
  item_position: l.itemPosition,
  quantity: l.quantity,
  unit_amount: l.unitAmount?.amountMinor ?? null,
  amount: l.amount.amountMinor,
  period_start: unix(l.periodStart),
  period_end: unix(l.periodEnd),
});

/** The subscription in REST's shape (Stripe's subscription object, Handoff's fields). */
export function subscriptionJson(s: SubscriptionJson): Record<string, unknown> {
  const interval = s.recurring.interval.toLowerCase();
  return {
    id: s.id,
    object: 'subscription',
    status: s.status.toLowerCase(),
    merchant_id: s.merchant.id,
    checkout_id: s.checkoutSession.id,
    currency: s.currency,
    recurring: { interval, interval_count: s.recurring.intervalCount, trial_days: s.recurring.trialDays },
    items: s.items.map((i) => ({ name: i.name, offer_id: i.offerId, quantity: i.quantity, unit_amount: i.unitAmount.amountMinor, interval, interval_count: s.recurring.intervalCount })),
    current_period: s.currentPeriod,
    current_period_start: unix(s.currentPeriodStart),
    current_period_end: unix(s.currentPeriodEnd),
    next_renewal_at: unix(s.nextRenewalAt),
    trial_start: unix(s.trialStart),
    trial_end: unix(s.trialEnd),
    cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: unix(s.canceledAt),
    payment_method: s.paymentMethod ? { brand: s.paymentMethod.brand, last4: s.paymentMethod.last4, provider: s.paymentMethod.provider.toLowerCase() } : null,
    invoices: s.invoices.map((i) => ({
      id: i.id,
      object: 'invoice',
      period: i.period,
      status: i.status.toLowerCase(),
      amount: i.amount.amountMinor,
      currency: i.amount.currency,
      period_start: unix(i.periodStart),
      period_end: unix(i.periodEnd),
      attempts: i.attempts,
      next_attempt_at: unix(i.nextAttemptAt),
      paid_at: unix(i.paidAt),
      payment_intent: i.paymentIntent?.id ?? null,
      lines: i.lines.map(lineJson),
      created: unix(i.createdAt),
    })),
    pending_invoice_lines: s.pendingInvoiceLines.map(lineJson),
    version: s.version,
    created: unix(s.createdAt),
    updated: unix(s.updatedAt),
  };
}
