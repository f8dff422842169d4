// Links a STRIPE subscription to Stripe Billing's own Subscription (issue 22; docs/recurring.md
// "Stripe Billing"): once the checkout started it (its card saved to a Stripe Customer), the
// renewal scan creates the Stripe Subscription that renews it: the same items as price_data, the
// saved card as default_payment_method, the first Stripe invoice at Handoff's next renewal
// (`trial_end`: period 1 was paid at checkout, or the trial runs until then). From then on Stripe
// invoices and charges each period and its webhooks pay Handoff's invoices
// (stripe-billing-events.ts); the renewal scan no longer charges it itself (renewal.job.ts).
// Under the subscription's row lock, with an idempotency key per Handoff subscription: two scans,
// a retried run or a crash between Stripe's answer and the commit create one Stripe Subscription.
// A subscription whose next renewal is too close (or past) stays Handoff's to charge off-session
// (chargeOffSession, with its Customer) for that period; the next scan links it after.
import type { Logger } from '@handoff/shared';
import { versionConflict } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { pspCall } from '../payment-intent/payment-intent.command-run.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { StripeConnector } from '../psp/stripe/stripe-connector.js';
import { lockSubscription } from './billing-subscription.changes.js';
import { BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { BillingSubscriptionStatus as B } from './billing-subscription.states.js';

export interface StripeLinkDeps {
  dataSource: DataSource;
  credentials: CredentialsSource;
  connectors: Connectors;
  now?: () => Date;
}

/** A Stripe Subscription whose first invoice is sooner than this is not created: Handoff charges that period itself. */
export const LINK_MIN_LEAD_MS = 10 * 60_000;

export type LinkOutcome = 'linked' | 'already_linked' | 'not_linkable' | 'too_late';

export async function linkStripeSubscription(deps: StripeLinkDeps, subscriptionId: string): Promise<LinkOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  return deps.dataSource.transaction(async (manager) => {
    const sub = await lockSubscription(manager, subscriptionId);
    if (!sub) return 'not_linkable';
    if (sub.providerSubscriptionId) return 'already_linked';
    if (!sub.providerCustomerId || !sub.paymentMethodId || !sub.nextRenewalAt || (sub.status !== B.ACTIVE && sub.status !== B.TRIALING) || sub.cancelAtPeriodEnd) return 'not_linkable';
    if (sub.nextRenewalAt.getTime() - now.getTime() < LINK_MIN_LEAD_MS) return 'too_late';
    const credentials = await deps.credentials.get(sub.merchantId);
    const connector = credentials ? deps.connectors.for(credentials) : null;
    if (!(connector instanceof StripeConnector)) return 'not_linkable';
    const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: sub.id }, order: { position: 'ASC' } });
    const created = await pspCall(() =>
      connector.billing.createSubscription({
        subscriptionId: sub.id,
        customer: sub.providerCustomerId!,
        paymentMethod: sub.paymentMethodId!,
        currency: sub.currency,
        interval: sub.interval.toLowerCase() as 'day' | 'week' | 'month' | 'year',
        intervalCount: sub.intervalCount,
        items,
        firstInvoiceAt: sub.nextRenewalAt!,
      }),
    );
    const result = await manager.update(BillingSubscriptionEntity, { id: sub.id, version: sub.version }, { providerSubscriptionId: created.id, version: sub.version + 1, updatedAt: new Date() });
    if (result.affected !== 1) throw versionConflict(sub.version, -1);
    return 'linked';
  });
}

/**
 * The scan's part: every unlinked STRIPE subscription (billing_subscriptions_unlinked_idx), linked
 * one by one, a page at a time (keyset on (created_at, id): one that cannot be linked yet, too
 * close to its renewal or refused by Stripe, never hides the ones after it); a failure is logged
 * and retried at the next scan.
 */
export async function linkUnlinkedStripeSubscriptions(deps: StripeLinkDeps, logger: Logger, pageSize = 200): Promise<number> {
  let linked = 0;
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const rows: Array<{ id: string; created_at: Date }> = await deps.dataSource.query(
      `SELECT id, created_at FROM payment.billing_subscriptions
        WHERE provider_customer_id IS NOT NULL AND provider_subscription_id IS NULL AND status IN ('ACTIVE', 'TRIALING') AND NOT cancel_at_period_end
          AND next_renewal_at > now() + ($4::float8 * interval '1 millisecond')
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::text))
        ORDER BY created_at, id LIMIT $1`,
      [pageSize, after?.createdAt ?? null, after?.id ?? '', LINK_MIN_LEAD_MS],
    );
    for (const { id } of rows) {
      try {
        if ((await linkStripeSubscription(deps, id)) === 'linked') linked += 1;
      } catch (err) {
        logger.warn({ err, subscriptionId: id }, 'Stripe Subscription not created; the next scan retries');
      }
    }
    if (rows.length < pageSize) return linked;
    const last = rows[rows.length - 1]!;
    after = { createdAt: new Date(last.created_at), id: last.id };
  }
}

export type TellOutcome = 'told' | 'nothing_to_tell';

/**
 * Handoff's own end of a linked subscription told to Stripe Billing, which would otherwise keep
 * invoicing it: canceled now → `subscriptions.cancel`; canceled at period end →
 * `cancel_at_period_end: true` (Stripe then ends it and sends customer.subscription.deleted).
 * Under the row lock, keyed per subscription; `provider_told` records it (once).
 */
export async function tellStripeOfCancellation(deps: StripeLinkDeps, subscriptionId: string): Promise<TellOutcome> {
  return deps.dataSource.transaction(async (manager) => {
    const sub = await lockSubscription(manager, subscriptionId);
    if (!sub?.providerSubscriptionId) return 'nothing_to_tell';
    const desired = sub.status === B.CANCELED ? 'canceled' : sub.cancelAtPeriodEnd ? 'cancel_at_period_end' : null;
    if (!desired || sub.providerTold === desired || sub.providerTold === 'canceled') return 'nothing_to_tell';
    const credentials = await deps.credentials.get(sub.merchantId);
    const connector = credentials ? deps.connectors.for(credentials) : null;
    if (!(connector instanceof StripeConnector)) return 'nothing_to_tell';
    await pspCall(() =>
      desired === 'canceled' ? connector.billing.cancelSubscription(sub.id, sub.providerSubscriptionId!) : connector.billing.cancelAtPeriodEnd(sub.id, sub.providerSubscriptionId!),
    );
    const result = await manager.update(BillingSubscriptionEntity, { id: sub.id, version: sub.version }, { providerTold: desired, version: sub.version + 1, updatedAt: new Date() });
    if (result.affected !== 1) throw versionConflict(sub.version, -1);
    return 'told';
  });
}

/** The scan's part: linked subscriptions Handoff canceled (now or at period end) that Stripe was not told of yet (billing_subscriptions_untold_idx), a page at a time (keyset: a failing one never hides the rest). */
export async function tellStripeOfCancellations(deps: StripeLinkDeps, logger: Logger, pageSize = 200): Promise<number> {
  let told = 0;
  let after: { updatedAt: Date; id: string } | null = null;
  for (;;) {
    const rows: Array<{ id: string; updated_at: Date }> = await deps.dataSource.query(
      `SELECT id, updated_at FROM payment.billing_subscriptions
        WHERE provider_subscription_id IS NOT NULL AND (status = 'CANCELED' OR cancel_at_period_end)
          AND provider_told IS DISTINCT FROM 'canceled'
          AND provider_told IS DISTINCT FROM (CASE WHEN status = 'CANCELED' THEN 'canceled' ELSE 'cancel_at_period_end' END)
          AND ($2::timestamptz IS NULL OR (updated_at, id) > ($2::timestamptz, $3::text))
        ORDER BY updated_at, id LIMIT $1`,
      [pageSize, after?.updatedAt ?? null, after?.id ?? ''],
    );
    for (const { id } of rows) {
      try {
        if ((await tellStripeOfCancellation(deps, id)) === 'told') told += 1;
      } catch (err) {
        logger.warn({ err, subscriptionId: id }, 'Stripe not told of the cancellation; the next scan retries');
      }
    }
    if (rows.length < pageSize) return told;
    const last = rows[rows.length - 1]!;
    after = { updatedAt: new Date(last.updated_at), id: last.id };
  }
}

/** For the webhook applier: a Stripe invoice's PaymentIntent, asked of Stripe with the merchant's key (null for a non-Stripe merchant). */
export function stripeInvoicePaymentIntent(credentials: CredentialsSource, connectors: Connectors): (merchantId: string, invoiceId: string) => Promise<string | null> {
  return async (merchantId, invoiceId) => {
    const creds = await credentials.get(merchantId);
    const connector = creds ? connectors.for(creds) : null;
    return connector instanceof StripeConnector ? connector.billing.invoicePaymentIntent(invoiceId) : null;
  };
}
