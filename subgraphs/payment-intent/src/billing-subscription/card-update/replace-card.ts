// The buyer's new card for a subscription (issue 22 item 4; docs/recurring.md "Card update"):
// the saved payment method replaced, `subscription.payment_method_updated` (and
// subscription.updated) written, and, when the subscription is PAST_DUE, its open invoice retried
// at once with the new card.
//   One transaction, the subscription's row locked: the card fields changed (changeSubscription),
//   the event; for PAST_DUE the open invoice's next attempt and the subscription's next renewal set
//   to now (the dunning schedule's retry brought forward). Then, after the commit, the retry is
//   chargeOffSession itself (billing-renewal.ts): the same row lock, unique invoice and live intent
//   per period, PSP keys per attempt. A dunning job firing at the same moment waits on the lock and
//   finds the invoice PAID (or, when it ran first with the old card, the retry after it charges the
//   new one): one successful charge for the period, whatever the order (card-update.int.spec.ts).
// With a buyer's link (card-update-page.ts), its nonce is recorded as used in the same transaction.
// Refused, nothing written: an unknown subscription (BILLING_SUBSCRIPTION_NOT_FOUND), a CANCELED
// one (SUBSCRIPTION_ALREADY_CANCELED), one Stripe Billing bills unless the caller tells Stripe
// (BAD_USER_INPUT: its card is Stripe's).
// Stripe (stripe-card-update.ts): `atProvider` runs under the row lock once the link's use is
// recorded, before the commit (Stripe's default card set first: a Stripe refusal rolls everything
// back). For a subscription Stripe Billing renews, a PAST_DUE or UNPAID one's open Stripe invoice is
// paid after the commit by `payStripeInvoice` (Stripe's invoice.paid then pays Handoff's, as any
// Stripe renewal); Handoff's own dunning fields are not touched (Stripe's schedule).
// UNPAID (dunning gave up, the invoice UNCOLLECTIBLE): after the commit, the invoice is charged once
// with the new card (unpaid-retry.ts: same row lock, the period's one intent, keyed PSP call).
// An intent waiting for the buyer's authentication (SCA) is not replaced: the retry answers
// `requires_action` and the buyer completes that authentication.
import { badUserInput, currentRequestId, ErrorCode, HandoffError, webhookEventOutboxEvent } from '@handoff/shared';
import { In, type EntityManager } from 'typeorm';
import { chargeOffSession, type RenewalDeps, type RenewalOutcome, type RenewalResult } from '../billing-renewal.js';
import { changeInvoice, changeSubscription, lockSubscription } from '../billing-subscription.changes.js';
import { BillingInvoiceEntity, BillingSubscriptionItemEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { announceBilling, billingSubscriptionObject } from '../billing-subscription.events.js';
import { useLink } from './card-update-links.js';
import { retryUnpaidInvoice } from './unpaid-retry.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from '../billing-subscription.states.js';

export interface NewCard {
  /** The PSP's reusable payment method (the sandbox vault token). */
  paymentMethodId: string;
  brand: string | null;
  last4: string | null;
}

export interface CardReplaced {
  subscriptionId: string;
  /** The PAST_DUE invoice's retry with the new card; null when nothing was due. */
  retry: (RenewalResult & { period: number }) | null;
}

export interface ReplaceOptions {
  /** The buyer's card-update link's nonce: recorded as used in this transaction (CARD_UPDATE_LINK_USED when it already was). */
  linkNonce?: string;
  /** The PSP told of the new card (Stripe: the Customer's and the Stripe Subscription's default), under the row lock, before the commit. Required for a subscription Stripe Billing renews. */
  atProvider?: (sub: BillingSubscriptionEntity) => Promise<void>;
  /** Stripe Billing renews it: its past-due Stripe invoice paid with the new card, after the commit. */
  payStripeInvoice?: (providerInvoiceId: string) => Promise<RenewalOutcome>;
}

type StripeInvoiceDue = { stripe: { invoiceId: string; providerInvoiceId: string; period: number; paymentIntentId: string | null } };

export async function replaceSubscriptionCard(deps: RenewalDeps, subscriptionId: string, card: NewCard, opts: ReplaceOptions = {}): Promise<CardReplaced> {
  const now = (deps.now ?? (() => new Date()))();
  const retryPeriod = await deps.dataSource.transaction(async (manager): Promise<number | 'unpaid' | StripeInvoiceDue | null> => {
    const sub = await lockSubscription(manager, subscriptionId);
    if (!sub) throw new HandoffError(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND, `Billing subscription ${subscriptionId} was not found.`);
    if (sub.status === B.CANCELED) throw new HandoffError(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED, `Billing subscription ${subscriptionId} is canceled: its card cannot change.`);
    if (sub.providerSubscriptionId && !opts.atProvider) throw badUserInput('subscription', 'Stripe Billing bills this subscription: its card is changed through Stripe.');
    // The link's one use, under the row lock: a second use (racing or later) is refused before anything changes.
    if (opts.linkNonce) await useLink(manager, opts.linkNonce, sub.id);
    if (opts.atProvider) await opts.atProvider(sub);
    let updated = await changeSubscription(manager, sub, { paymentMethodId: card.paymentMethodId, paymentMethodBrand: card.brand, paymentMethodLast4: card.last4 });
    await announceCardUpdated(manager, updated);
    if (sub.providerSubscriptionId) {
      // Stripe Billing renews it: its open Stripe invoice (past due, or unpaid after Stripe's dunning) is paid after the commit.
      if (sub.status !== B.PAST_DUE && sub.status !== B.UNPAID) return null;
      const owed = await manager.findOneBy(BillingInvoiceEntity, { subscriptionId: sub.id, period: sub.currentPeriod + 1, status: In([BillingInvoiceStatus.OPEN, BillingInvoiceStatus.UNCOLLECTIBLE]) });
      return owed?.providerInvoiceId ? { stripe: { invoiceId: owed.id, providerInvoiceId: owed.providerInvoiceId, period: owed.period, paymentIntentId: owed.paymentIntentId } } : null;
    }
    if (sub.status === B.UNPAID) return 'unpaid';
    if (sub.status !== B.PAST_DUE) return null;
    const invoice = await manager.findOneBy(BillingInvoiceEntity, { subscriptionId: sub.id, period: sub.currentPeriod + 1, status: BillingInvoiceStatus.OPEN });
    if (!invoice) return null;
    await changeInvoice(manager, updated, invoice, { nextAttemptAt: now });
    updated = await changeSubscription(manager, updated, { nextRenewalAt: now });
    return invoice.period;
  });
  deps.committed?.();
  if (retryPeriod === null) return { subscriptionId, retry: null };
  if (typeof retryPeriod === 'object') {
    const due = retryPeriod.stripe;
    if (!opts.payStripeInvoice) return { subscriptionId, retry: null };
    const outcome = await opts.payStripeInvoice(due.providerInvoiceId);
    return { subscriptionId, retry: { outcome, invoiceId: due.invoiceId, paymentIntentId: due.paymentIntentId, period: due.period } };
  }
  // UNPAID: dunning gave up; the uncollectible invoice is charged once with the new card (unpaid-retry.ts).
  if (retryPeriod === 'unpaid') return { subscriptionId, retry: await retryUnpaidInvoice(deps, subscriptionId) };
  const result = await chargeOffSession(deps, subscriptionId, retryPeriod);
  return { subscriptionId, retry: { ...result, period: retryPeriod } };
}

/** subscription.payment_method_updated (the subscription as it now is: the new card's brand and last 4, never its token). */
async function announceCardUpdated(manager: EntityManager, s: BillingSubscriptionEntity): Promise<void> {
  const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: s.id }, order: { position: 'ASC' } });
  await announceBilling(manager, [
    webhookEventOutboxEvent({
      type: 'subscription.payment_method_updated',
      merchantId: s.merchantId,
      agentId: s.metadata?.aap_agent_id ?? null,
      checkoutId: s.checkoutSessionId,
      paymentIntentId: s.checkoutPaymentIntentId,
      correlation: { subscription_id: s.id, request_id: currentRequestId() ?? null },
      object: billingSubscriptionObject(s, items),
      occurredAt: new Date().toISOString(),
    }),
  ]);
}
