// Stripe Billing's webhooks mapped onto Handoff's subscription (issue 22; docs/recurring.md
// "Stripe Billing"), applied by the same webhook inbox and ingest job as payment events
// (apply-psp-event.ts), in its transaction, through the same functions the sandbox's renewals use:
//   invoice.paid            the period's Handoff invoice (createInvoiceForPeriod: one per period),
//                           tied to the Stripe invoice (unique), a Handoff intent for the Stripe
//                           PaymentIntent that paid it (billing_subscription_id + period: its events
//                           carry `recurring`, as a sandbox renewal's) moved to SUCCEEDED by
//                           transition(), whose renewalPaid pays the invoice and advances the period
//   invoice.payment_failed  the invoice's attempt (Stripe's attempt_count, next_payment_attempt),
//                           invoice.payment_failed, the subscription PAST_DUE (changeInvoice / changeSubscription)
//   customer.subscription.updated / .deleted   Stripe's final dunning status (unpaid, canceled)
//                           and cancel_at_period_end; active / past_due come from the invoices.
// Every handler locks the subscription's row first: events of one subscription apply one at a time.
// Duplicates and any order converge: a paid invoice ignores a late failure, an attempt not newer
// than the one recorded is ignored, a customer.subscription.updated older than the newest Stripe
// event applied is stale (provider_synced_at), a period is paid once (its invoice, unique).
import { periodBounds, type PspEventObject } from '@handoff/shared';
import { ulid } from 'ulid';
import { Not, type EntityManager } from 'typeorm';
import { insertAnnounced, transition } from '../payment-intent/payment-intent.changes.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus as S, PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import { HANDOFF_SUBSCRIPTION_METADATA_KEY } from '../psp/stripe/stripe-billing.js';
import { changeInvoice, changeSubscription, createInvoiceForPeriod, lockSubscription } from './billing-subscription.changes.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from './billing-subscription.entity.js';
import { BillingInvoiceStatus as I, BillingSubscriptionStatus as B } from './billing-subscription.states.js';
import { cancelNow } from './lifecycle/cancel.js';

export const STRIPE_BILLING_EVENT_TYPES: ReadonlySet<string> = new Set(['invoice.paid', 'invoice.payment_failed', 'customer.subscription.updated', 'customer.subscription.deleted']);

/** Whether an inbox row's event is Stripe Billing's (routed here, not to a payment intent). */
export const isStripeBillingEvent = (providerPath: string, type: string) => providerPath === 'stripe' && STRIPE_BILLING_EVENT_TYPES.has(type);

/** A Stripe event about a Handoff subscription whose Stripe Subscription is being linked (not committed yet): retried. */
export class StripeSubscriptionNotLinkedYet extends Error {
  constructor(readonly subscriptionId: string) {
    super(`Billing subscription ${subscriptionId} is not linked to its Stripe Subscription yet; will retry`);
    this.name = 'StripeSubscriptionNotLinkedYet';
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? str(obj(v).id);

/** The Stripe invoice's fields this mapping reads (API 2025+: `parent.subscription_details`; older: `subscription`). */
export interface StripeInvoiceView {
  id: string;
  subscription: string | null;
  handoffSubscriptionId: string | null;
  billingReason: string | null;
  amountDue: number;
  amountPaid: number;
  attemptCount: number;
  nextPaymentAttempt: Date | null;
  /** The service period's start (its subscription line's `period.start`), seconds. */
  lineStart: number | null;
}

export function stripeInvoiceView(o: Json): StripeInvoiceView {
  const details = obj(obj(o.parent).subscription_details);
  const lines = (obj(o.lines).data as unknown[] | undefined) ?? [];
  const starts = lines.map((l) => int(obj(obj(l).period).start)).filter((s): s is number => s !== null);
  const next = int(o.next_payment_attempt);
  return {
    id: str(o.id) ?? '',
    subscription: idOf(details.subscription) ?? idOf(o.subscription),
    handoffSubscriptionId: str(obj(details.metadata)[HANDOFF_SUBSCRIPTION_METADATA_KEY]) ?? str(obj(obj(o.subscription_details).metadata)[HANDOFF_SUBSCRIPTION_METADATA_KEY]),
    billingReason: str(o.billing_reason),
    amountDue: int(o.amount_due) ?? 0,
    amountPaid: int(o.amount_paid) ?? 0,
    attemptCount: int(o.attempt_count) ?? 0,
    nextPaymentAttempt: next !== null ? new Date(next * 1000) : null,
    lineStart: starts.length ? Math.min(...starts) : null,
  };
}

/** The Handoff period whose start is nearest the Stripe line's start (Stripe cycles from its anchor = Handoff's next renewal); null when none is within a day. */
export function periodAt(sub: BillingSubscriptionEntity, startSeconds: number): number | null {
  if (!sub.billingCycleAnchor) return null;
  const t = startSeconds * 1000;
  let best: { period: number; diff: number } | null = null;
  for (let n = 1; n <= sub.currentPeriod + 36; n += 1) {
    const diff = Math.abs(periodBounds(sub.billingCycleAnchor, sub, n).start.getTime() - t);
    if (!best || diff < best.diff) best = { period: n, diff };
    if (periodBounds(sub.billingCycleAnchor, sub, n).start.getTime() > t) break;
  }
  // Stripe keeps its anchor's day of month, Handoff its own: a clamped month (the 31st) may differ by up to 3 days.
  return best && best.diff <= 4 * 86_400_000 ? best.period : null;
}

export type BillingApplyOutcome = 'applied' | `no_effect:${string}`;

/**
 * What the applier announces: the outcome and, when a Stripe invoice's payment is the period's
 * Handoff intent's (paid), that payment as a `psp_event.succeeded` object carrying the intent's
 * metadata (Stripe's invoice PaymentIntents carry none): the ledger sees a Stripe renewal as it
 * sees a sandbox one (its `recurring`, its aap_* attribution), keyed by the Stripe PaymentIntent.
 */
export interface BillingApplyResult {
  outcome: BillingApplyOutcome;
  payment: { intent: PaymentIntentEntity; object: PspEventObject } | null;
}

/**
 * Applies a verified Stripe Billing event of `merchantId` (the signing merchant). `paymentIntent`:
 * the Stripe PaymentIntent of an invoice event's payment, looked up before the transaction.
 */
export async function applyStripeBillingEvent(
  manager: EntityManager,
  merchantId: string,
  event: { id: string; type: string; created: number; object: Json },
  paymentIntent: string | null,
): Promise<BillingApplyResult> {
  const o = event.object;
  const invoice = o.object === 'invoice' ? stripeInvoiceView(o) : null;
  const stripeSub = invoice ? invoice.subscription : o.object === 'subscription' ? str(o.id) : null;
  const handoffId = invoice ? invoice.handoffSubscriptionId : str(obj(o.metadata)[HANDOFF_SUBSCRIPTION_METADATA_KEY]);
  let sub = stripeSub
    ? await manager.findOne(BillingSubscriptionEntity, { where: { provider: PaymentProvider.STRIPE, providerSubscriptionId: stripeSub }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!sub && handoffId) {
    // Named in Stripe's metadata: its link may be committing now (the lock waits for it), or not be done yet (retried).
    const named = await lockSubscription(manager, handoffId);
    if (named && named.merchantId === merchantId && named.provider === PaymentProvider.STRIPE) {
      if (!named.providerSubscriptionId) throw new StripeSubscriptionNotLinkedYet(named.id);
      if (named.providerSubscriptionId === stripeSub) sub = named;
    }
  }
  const none = (outcome: BillingApplyOutcome): BillingApplyResult => ({ outcome, payment: null });
  if (!sub) return none('no_effect:unknown_subscription');
  if (sub.merchantId !== merchantId) return none('no_effect:merchant_mismatch');

  let result: BillingApplyResult;
  if (invoice && event.type === 'invoice.paid') result = await invoicePaid(manager, sub, invoice, paymentIntent, event.id);
  else if (invoice && event.type === 'invoice.payment_failed') result = none(await invoiceFailed(manager, sub, invoice, paymentIntent));
  else if (o.object === 'subscription') {
    if (sub.providerSyncedAt && event.created * 1000 < sub.providerSyncedAt.getTime()) return none('no_effect:stale');
    result = none(await subscriptionChanged(manager, sub, event.type === 'customer.subscription.deleted' ? 'canceled' : (str(o.status) ?? ''), o));
  } else return none('no_effect:unhandled_type');
  await manager.query(
    `UPDATE payment.billing_subscriptions SET provider_synced_at = GREATEST(COALESCE(provider_synced_at, to_timestamp(0)), to_timestamp($2)) WHERE id = $1`,
    [sub.id, event.created],
  );
  return result;
}

/** The period's Handoff invoice for a Stripe invoice; null (with why) when it maps to none. */
async function handoffInvoice(manager: EntityManager, sub: BillingSubscriptionEntity, inv: StripeInvoiceView): Promise<{ invoice: BillingInvoiceEntity; period: number } | BillingApplyOutcome> {
  // Stripe's invoice at the Subscription's creation (trial_end set: 0, paid at once): Handoff's checkout paid period 1, or the trial runs.
  if (inv.billingReason === 'subscription_create' && inv.amountDue === 0) return 'no_effect:trial_invoice';
  const period = inv.lineStart !== null ? periodAt(sub, inv.lineStart) : null;
  if (!period) return 'no_effect:period_unknown';
  const byStripe = await manager.findOneBy(BillingInvoiceEntity, { providerInvoiceId: inv.id });
  if (byStripe && byStripe.period !== period) return 'no_effect:invoice_period_mismatch';
  const { invoice } = await createInvoiceForPeriod(manager, sub, period, inv.amountDue);
  // One Stripe invoice per Handoff invoice: a second Stripe invoice for a paid period is never recorded as paying it.
  if (invoice.providerInvoiceId && invoice.providerInvoiceId !== inv.id) return 'no_effect:another_stripe_invoice';
  return { invoice, period };
}

/** The Handoff intent of the period (the live one), or one created for Stripe's PaymentIntent. */
async function periodIntent(manager: EntityManager, sub: BillingSubscriptionEntity, period: number, amountMinor: number, stripePi: string | null): Promise<PaymentIntentEntity> {
  const live = await manager.findOne(PaymentIntentEntity, { where: { billingSubscriptionId: sub.id, billingPeriod: period, status: Not(S.CANCELED) }, lock: { mode: 'pessimistic_write' } });
  if (live) return live;
  const metadata = { ...(sub.metadata ?? {}) };
  const createdAt = new Date();
  const intent = manager.create(PaymentIntentEntity, {
    id: ulid(), merchantId: sub.merchantId, checkoutSessionId: null, status: S.REQUIRES_PAYMENT_METHOD, currency: sub.currency, amountMinor,
    amountCapturedMinor: 0, amountRefundedMinor: 0, captureMode: CaptureMode.AUTOMATIC, captureModePinned: true, paymentMethodTypes: ['card'],
    provider: PaymentProvider.STRIPE, providerPaymentId: stripePi, metadata, description: `Subscription ${sub.id}, period ${period} (Stripe Billing)`,
    nextAction: null, lastPaymentError: null, paymentMethodId: sub.paymentMethodId, checkoutBinding: false, version: 1, createdAt, updatedAt: createdAt,
    billingSubscriptionId: sub.id, billingPeriod: period, billingPlan: null,
  } as Partial<PaymentIntentEntity>) as PaymentIntentEntity;
  await insertAnnounced(manager, intent, 'payment_intent.created');
  await manager.update(PaymentIntentEntity, { id: intent.id }, { billingSubscriptionId: sub.id, billingPeriod: period });
  return intent;
}

async function invoicePaid(manager: EntityManager, sub: BillingSubscriptionEntity, inv: StripeInvoiceView, stripePi: string | null, eventId: string): Promise<BillingApplyResult> {
  const found = await handoffInvoice(manager, sub, inv);
  if (typeof found === 'string') return { outcome: found, payment: null };
  const { invoice, period } = found;
  if (invoice.status === I.VOID) return { outcome: 'no_effect:invoice_void', payment: null };
  if (invoice.status === I.PAID) {
    // Paid already (the PaymentIntent's own payment_intent.succeeded came first, through the same renewalPaid): Stripe's invoice and attempt count recorded.
    const paidBy = invoice.paymentIntentId ? await manager.findOneBy(PaymentIntentEntity, { id: invoice.paymentIntentId }) : null;
    const payment = paidBy ? paymentOf(paidBy, inv) : null;
    if (invoice.providerInvoiceId === inv.id && invoice.attempts >= inv.attemptCount) return { outcome: 'no_effect:already_there', payment };
    await changeInvoice(manager, sub, invoice, { providerInvoiceId: inv.id, attempts: Math.max(invoice.attempts, inv.attemptCount) });
    return { outcome: 'applied', payment };
  }
  const intent = await periodIntent(manager, sub, period, inv.amountDue, stripePi);
  await changeInvoice(manager, sub, invoice, { providerInvoiceId: inv.id, paymentIntentId: intent.id, attempts: Math.max(invoice.attempts, inv.attemptCount, 1), nextAttemptAt: null });
  if (intent.status !== S.SUCCEEDED) {
    intent.amountCapturedMinor = Math.min(intent.amountMinor, inv.amountPaid || intent.amountMinor);
    intent.lastPaymentError = null;
    intent.nextAction = null;
    // The renewal's success, as the sandbox's: transition() runs renewalPaid (invoice PAID, the period advanced, ACTIVE).
    await transition(manager, intent, S.SUCCEEDED, { data: { source: 'webhook', pspEventId: eventId, pspEventType: 'invoice.paid', stripeInvoice: inv.id } });
  }
  return { outcome: 'applied', payment: paymentOf(intent, inv) };
}

/** The invoice's payment as a psp_event object: the Stripe PaymentIntent's id (else the invoice's), the Handoff intent's metadata. */
function paymentOf(intent: PaymentIntentEntity, inv: StripeInvoiceView): { intent: PaymentIntentEntity; object: PspEventObject } {
  return {
    intent,
    object: {
      id: intent.providerPaymentId ?? inv.id,
      amount: inv.amountDue,
      currency: intent.currency,
      status: 'succeeded',
      metadata: { ...((intent.metadata ?? {}) as Record<string, string>) },
      amountReceived: inv.amountPaid,
    },
  };
}

async function invoiceFailed(manager: EntityManager, sub: BillingSubscriptionEntity, inv: StripeInvoiceView, stripePi: string | null): Promise<BillingApplyOutcome> {
  const found = await handoffInvoice(manager, sub, inv);
  if (typeof found === 'string') return found;
  const { invoice, period } = found;
  if (invoice.status !== I.OPEN) return 'no_effect:invoice_not_open'; // paid (a late failure), void or uncollectible
  if (inv.attemptCount <= invoice.attempts) return 'no_effect:already_there'; // this attempt, or an older one, is recorded
  const intent = await periodIntent(manager, sub, period, inv.amountDue, stripePi);
  await changeInvoice(manager, sub, invoice, { providerInvoiceId: inv.id, paymentIntentId: intent.id, attempts: inv.attemptCount, nextAttemptAt: inv.nextPaymentAttempt }, { failed: true });
  const current = (await lockSubscription(manager, sub.id))!;
  if (current.status === B.ACTIVE || current.status === B.TRIALING) await changeSubscription(manager, current, {}, B.PAST_DUE);
  return 'applied';
}

async function subscriptionChanged(manager: EntityManager, sub: BillingSubscriptionEntity, status: string, o: Json): Promise<BillingApplyOutcome> {
  if (sub.status === B.CANCELED) return 'no_effect:already_there';
  if (status === 'canceled') {
    const at = int(o.canceled_at) ?? int(o.ended_at);
    await cancelNow(manager, sub, at !== null ? new Date(at * 1000) : new Date());
    await told(manager, sub.id, 'canceled'); // Stripe ended it: nothing to tell it back
    return 'applied';
  }
  // Stripe's retries are over: its final status (the account's setting) is Handoff's too.
  if (status === 'unpaid' && sub.status === B.PAST_DUE) {
    await changeSubscription(manager, sub, { nextRenewalAt: null }, B.UNPAID);
    return 'applied';
  }
  const atPeriodEnd = o.cancel_at_period_end === true;
  if (typeof o.cancel_at_period_end === 'boolean' && atPeriodEnd !== sub.cancelAtPeriodEnd) {
    await changeSubscription(manager, sub, { cancelAtPeriodEnd: atPeriodEnd });
    if (atPeriodEnd) await told(manager, sub.id, 'cancel_at_period_end');
    return 'applied';
  }
  return 'no_effect:already_there';
}

/** Stripe itself reported this end: the scan must not tell it back (stripe-billing-link.ts tellStripeOfCancellation). */
async function told(manager: EntityManager, id: string, what: 'canceled' | 'cancel_at_period_end'): Promise<void> {
  await manager.query(`UPDATE payment.billing_subscriptions SET provider_told = $2 WHERE id = $1`, [id, what]);
}
