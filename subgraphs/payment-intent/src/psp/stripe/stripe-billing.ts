// Stripe Billing for a STRIPE merchant's subscriptions (issue 22; docs/recurring.md "Stripe
// Billing"), over the same `stripe` client as the connector. Every call that creates something
// carries an idempotency key derived from the Handoff subscription (`bsub:<id>:<what>`), so a
// retried checkout or link run gets Stripe's stored answer and never a second Customer,
// SetupIntent, Product or Subscription.
//   customerFor       the Stripe Customer the card is attached to (created at checkout)
//   setupOffSession   a trial: a SetupIntent (usage off_session, confirmed) attaches the card to the Customer
//   createSubscription Stripe Billing's Subscription renewing it: price_data per item (a Product per
//                     item), `trial_end` = Handoff's next renewal (period 1 was paid at checkout, or
//                     the trial runs until then), the saved card as default_payment_method
//   invoicePaymentIntent the PaymentIntent that paid (or tried to pay) a Stripe invoice
import type Stripe from 'stripe';
import { PspRequestRejected } from '../connector.js';

/** The key of a billing call: one per Handoff subscription and object. */
export const billingKey = (subscriptionId: string, what: string) => `bsub:${subscriptionId}:${what}`;

/** The metadata key naming the Handoff subscription on Stripe's Customer, Subscription and (through it) invoices. */
export const HANDOFF_SUBSCRIPTION_METADATA_KEY = 'handoff_billing_subscription_id';

export interface StripeSubscriptionRequest {
  subscriptionId: string;
  customer: string;
  paymentMethod: string;
  currency: string;
  interval: 'day' | 'week' | 'month' | 'year';
  intervalCount: number;
  items: ReadonlyArray<{ position: number; name: string; unitAmountMinor: number; quantity: number }>;
  /** When Stripe first invoices: Handoff's next renewal (the end of period 1, or of the trial). */
  firstInvoiceAt: Date;
}

export class StripeBilling {
  constructor(
    private readonly stripe: Stripe,
    private readonly call: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  async customerFor(subscriptionId: string, merchantId: string): Promise<string> {
    const customer = await this.call(() =>
      this.stripe.customers.create(
        { metadata: { [HANDOFF_SUBSCRIPTION_METADATA_KEY]: subscriptionId, handoff_merchant_id: merchantId } },
        { idempotencyKey: billingKey(subscriptionId, 'customer') },
      ),
    );
    return customer.id;
  }

  /** A trial's card saved for off-session charges: refused (PspRequestRejected) unless Stripe set it up at once. */
  async setupOffSession(subscriptionId: string, customer: string, paymentMethod: string, returnUrl: string): Promise<void> {
    const si = await this.call(() =>
      this.stripe.setupIntents.create(
        { customer, payment_method: paymentMethod, usage: 'off_session', confirm: true, return_url: returnUrl, metadata: { [HANDOFF_SUBSCRIPTION_METADATA_KEY]: subscriptionId } },
        // Per card: a declined card's stored answer must not be replayed for the buyer's next card.
        { idempotencyKey: billingKey(subscriptionId, `setup:${paymentMethod}`) },
      ),
    );
    if (si.status !== 'succeeded') throw new PspRequestRejected(`Stripe could not save the card for the trial (SetupIntent ${si.status}).`, `setup_intent_${si.status}`);
  }

  async createSubscription(req: StripeSubscriptionRequest): Promise<{ id: string; status: string }> {
    // One Stripe Subscription per Handoff subscription, even when a run created it and crashed
    // before recording it and the next run asks with another trial_end (its key): adopted, not made twice.
    const existing = await this.call(() => this.stripe.subscriptions.list({ customer: req.customer, status: 'all', limit: 100 }));
    const mine = existing.data.find((s) => s.metadata?.[HANDOFF_SUBSCRIPTION_METADATA_KEY] === req.subscriptionId && s.status !== 'canceled' && s.status !== 'incomplete_expired');
    if (mine) return { id: mine.id, status: mine.status };
    const items: Stripe.SubscriptionCreateParams.Item[] = [];
    for (const item of req.items) {
      const product = await this.call(() =>
        this.stripe.products.create({ name: item.name, metadata: { [HANDOFF_SUBSCRIPTION_METADATA_KEY]: req.subscriptionId } }, { idempotencyKey: billingKey(req.subscriptionId, `product:${item.position}`) }),
      );
      items.push({
        price_data: { currency: req.currency.toLowerCase(), product: product.id, unit_amount: item.unitAmountMinor, recurring: { interval: req.interval, interval_count: req.intervalCount } },
        quantity: item.quantity,
      });
    }
    const sub = await this.call(() =>
      this.stripe.subscriptions.create(
        {
          customer: req.customer,
          default_payment_method: req.paymentMethod,
          items,
          trial_end: Math.floor(req.firstInvoiceAt.getTime() / 1000),
          off_session: true,
          metadata: { [HANDOFF_SUBSCRIPTION_METADATA_KEY]: req.subscriptionId },
        },
        { idempotencyKey: billingKey(req.subscriptionId, `subscription:${Math.floor(req.firstInvoiceAt.getTime() / 1000)}`) },
      ),
    );
    return { id: sub.id, status: sub.status };
  }

  /** Handoff canceled it now: Stripe's Subscription canceled (no more invoices). Already canceled at Stripe: done. */
  async cancelSubscription(subscriptionId: string, stripeSubscriptionId: string): Promise<void> {
    const current = await this.call(() => this.stripe.subscriptions.retrieve(stripeSubscriptionId));
    if (current.status === 'canceled' || current.status === 'incomplete_expired') return; // already ended at Stripe: what was asked
    await this.call(() => this.stripe.subscriptions.cancel(stripeSubscriptionId, {}, { idempotencyKey: billingKey(subscriptionId, 'cancel') }));
  }

  /** Handoff cancels it at its period's end: Stripe's Subscription too (Stripe then sends customer.subscription.deleted). */
  async cancelAtPeriodEnd(subscriptionId: string, stripeSubscriptionId: string): Promise<void> {
    await this.call(() => this.stripe.subscriptions.update(stripeSubscriptionId, { cancel_at_period_end: true }, { idempotencyKey: billingKey(subscriptionId, 'cancel-at-period-end') }));
  }

  /** The PaymentIntent of a Stripe invoice's payment (a paid one first); null when it has none. */
  async invoicePaymentIntent(invoiceId: string): Promise<string | null> {
    const list = await this.call(() => this.stripe.invoicePayments.list({ invoice: invoiceId, limit: 10 }));
    const payments = [...list.data].sort((a, b) => Number(b.status === 'paid') - Number(a.status === 'paid'));
    for (const p of payments) {
      const pi = p.payment?.payment_intent;
      const id = typeof pi === 'string' ? pi : pi?.id;
      if (id) return id;
    }
    return null;
  }
}
