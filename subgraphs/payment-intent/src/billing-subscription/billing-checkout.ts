// A billing subscription's start at checkout (issue 22; docs/recurring.md), in payment-intent's
// confirming transaction:
//   1. confirm (payment-intent.commands.ts), once the session's commitment answered a plan
//      (checkout-session's SubscriptionPlanTerms): prepareCheckoutBilling marks the intent as
//      paying period 1 of the session's subscription (its id derived from the session, so the
//      events of every attempt carry the same `recurring`) and keeps the plan and the card's
//      brand and last 4 on the intent. The card is confirmed to be kept for off-session charges
//      (Stripe: setup_future_usage=off_session; the sandbox's vault tokens are reusable).
//      A trial's intent is marked with the subscription but no period (it pays none) and is
//      settled at 0 without a charge: the card was tokenized, and is saved for the trial's end.
//   2. the intent's move to SUCCEEDED (payment-intent.changes.ts transition), whatever made it
//      (the confirm's answer, 3-D Secure, the PSP's webhook): startSubscriptionFromPayment
//      inserts the subscription (ACTIVE with invoice 1 PAID, or TRIALING with no invoice), its
//      items and its events, once per checkout session (ON CONFLICT DO NOTHING on the session).
import { periodBounds, trialEnd, type SubscriptionPlanTerms } from '@handoff/shared';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import type { PspConnector } from '../psp/connector.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { announceBilling, invoiceEvent, subscriptionEvents } from './billing-subscription.events.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from './billing-subscription.states.js';

/** The plan as the intent keeps it until it succeeds: the session's plan and the card's brand and last 4. */
export interface StoredBillingPlan extends SubscriptionPlanTerms {
  card?: { brand: string | null; last4: string | null } | null;
  /** STRIPE: the Customer the card was saved to at checkout (stripe-billing-checkout.ts). */
  providerCustomerId?: string | null;
}

/** The `paidBy` of a trial's checkout intent, settled at 0 (tender-payment.ts settleByTender). */
export const PAID_BY_TRIAL = 'trial';

/** The saved card's brand and last 4, as the PSP reports them (null when it cannot say: the subscription still starts). */
export async function cardShown(connector: PspConnector, manager: EntityManager, token: string): Promise<StoredBillingPlan['card']> {
  try {
    const card = await connector.describePaymentMethod({ manager }, token);
    return { brand: card.brand, last4: card.last4 };
  } catch {
    return null;
  }
}

/** A checkout session's subscription id: `bsub_` + 24 hex of its id (one subscription per session, known before it exists). */
export function billingSubscriptionIdFor(checkoutSessionId: string): string {
  return `bsub_${createHash('sha256').update(`billing-subscription\0${checkoutSessionId}`).digest('hex').slice(0, 24)}`;
}

/** Marks the intent (row locked by the confirming command) as paying its session's subscription; written now, not at the next change. */
export async function prepareCheckoutBilling(manager: EntityManager, intent: PaymentIntentEntity, plan: StoredBillingPlan): Promise<void> {
  intent.billingSubscriptionId = billingSubscriptionIdFor(intent.checkoutSessionId!);
  // A trial pays no period: its intent (settled at 0) names the subscription, not a period.
  intent.billingPeriod = plan.trialDays > 0 ? null : 1;
  intent.billingPlan = plan;
  await manager.update(
    PaymentIntentEntity,
    { id: intent.id },
    { billingSubscriptionId: intent.billingSubscriptionId, billingPeriod: intent.billingPeriod, billingPlan: plan as never },
  );
}

/**
 * The intent paying a SUBSCRIPTION checkout succeeded (its transition to SUCCEEDED, same
 * transaction): the subscription, its items and its first invoice, with their events. A second
 * call for the session (a replayed webhook, a racing path) finds it there and writes nothing.
 */
export async function startSubscriptionFromPayment(manager: EntityManager, intent: PaymentIntentEntity): Promise<BillingSubscriptionEntity | null> {
  const plan = intent.billingPlan as StoredBillingPlan | null | undefined;
  if (!plan || !intent.billingSubscriptionId || !intent.checkoutSessionId) return null;
  const now = new Date();
  const trial = plan.trialDays > 0;
  const anchor = trial ? trialEnd(now, plan.trialDays) : now;
  const first = periodBounds(anchor, plan, 1);
  const s = manager.create(BillingSubscriptionEntity, {
    id: intent.billingSubscriptionId,
    merchantId: intent.merchantId,
    checkoutSessionId: intent.checkoutSessionId,
    status: trial ? BillingSubscriptionStatus.TRIALING : BillingSubscriptionStatus.ACTIVE,
    currency: intent.currency,
    interval: plan.interval,
    intervalCount: plan.intervalCount,
    trialDays: plan.trialDays,
    provider: intent.provider,
    paymentMethodId: intent.paymentMethodId,
    paymentMethodBrand: plan.card?.brand ?? null,
    paymentMethodLast4: plan.card?.last4 ?? null,
    checkoutPaymentIntentId: intent.id,
    billingCycleAnchor: anchor,
    currentPeriod: trial ? 0 : 1,
    currentPeriodStart: trial ? now : first.start,
    currentPeriodEnd: trial ? anchor : first.end,
    trialStart: trial ? now : null,
    trialEnd: trial ? anchor : null,
    nextRenewalAt: trial ? anchor : first.end,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: (intent.metadata ?? {}) as Record<string, string>,
    providerCustomerId: plan.providerCustomerId ?? null,
    providerSubscriptionId: null,
    providerSyncedAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  const inserted = await manager.createQueryBuilder().insert().into(BillingSubscriptionEntity).values(s).orIgnore().returning('id').execute();
  if ((inserted.raw as unknown[]).length === 0) return null; // already started for this session
  const items = plan.items.map((i) =>
    manager.create(BillingSubscriptionItemEntity, { subscriptionId: s.id, position: i.position, name: i.name, offerId: i.offerId, unitAmountMinor: i.unitAmountMinor, quantity: i.quantity }),
  );
  await manager.insert(BillingSubscriptionItemEntity, items);
  const events = subscriptionEvents('subscription.created', s, items, null);
  if (!trial) {
    const invoice = manager.create(BillingInvoiceEntity, {
      id: `binv_${ulid()}`,
      subscriptionId: s.id,
      merchantId: s.merchantId,
      period: 1,
      status: BillingInvoiceStatus.PAID,
      amountMinor: intent.amountCapturedMinor > 0 ? intent.amountCapturedMinor : intent.amountMinor,
      currency: s.currency,
      periodStart: first.start,
      periodEnd: first.end,
      paymentIntentId: intent.id,
      attempts: 1,
      nextAttemptAt: null,
      paidAt: now,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(BillingInvoiceEntity, invoice);
    events.push(invoiceEvent('invoice.paid', s, invoice));
  }
  await announceBilling(manager, events);
  return s;
}
