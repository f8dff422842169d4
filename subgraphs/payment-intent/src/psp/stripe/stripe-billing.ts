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
//   card update (the buyer's link, billing-subscription/card-update/stripe-card-update.ts):
//     cardUpdateSetupIntent  a SetupIntent (usage off_session) on the Customer for the page's Stripe.js
//                            to confirm; one per link (key `bsub:<id>:card-update:<nonce>:setup`)
//     setupIntent            the SetupIntent as Stripe has it (the page is never trusted)
//     makeDefaultPaymentMethod the Customer's (and the Stripe Subscription's) default card
//     payInvoice             a past-due Stripe invoice paid at once with the new card, keyed by the link
import type Stripe from 'stripe';
import { PspRequestRejected } from '../connector.js';

/** The key of a billing call: one per Handoff subscription and object. */
export const billingKey = (subscriptionId: string, what: string) => `bsub:${subscriptionId}:${what}`;

/** The metadata key naming the Handoff subscription on Stripe's Customer, Subscription and (through it) invoices. */
export const HANDOFF_SUBSCRIPTION_METADATA_KEY = 'handoff_billing_subscription_id';

/** A SetupIntent as read back from Stripe: what the card update checks before trusting it. */
export interface StripeSetupIntentView {
  id: string;
  status: string;
  customer: string | null;
  paymentMethod: string | null;
  usage: string | null;
  metadata: Record<string, string>;
  lastError: { code: string; declineCode: string | null; message: string } | null;
}

/** The metadata key naming the card-update link (its nonce) a SetupIntent was made for. */
export const CARD_UPDATE_LINK_METADATA_KEY = 'handoff_card_update_link';

export type StripeInvoicePayment = 'paid' | 'already_paid' | 'declined' | 'requires_action' | 'pending' | 'not_due';

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

  /** The card update's SetupIntent on the subscription's Customer, for Stripe.js to confirm in the buyer's browser (one per link). */
  async cardUpdateSetupIntent(subscriptionId: string, customer: string, linkNonce: string): Promise<{ id: string; clientSecret: string }> {
    const si = await this.call(() =>
      this.stripe.setupIntents.create(
        { customer, usage: 'off_session', metadata: { [HANDOFF_SUBSCRIPTION_METADATA_KEY]: subscriptionId, [CARD_UPDATE_LINK_METADATA_KEY]: linkNonce } },
        { idempotencyKey: billingKey(subscriptionId, `card-update:${linkNonce}:setup`) },
      ),
    );
    if (!si.client_secret) throw new PspRequestRejected('Stripe answered a SetupIntent without a client secret.', 'setup_intent_no_client_secret');
    return { id: si.id, clientSecret: si.client_secret };
  }

  /** A SetupIntent read from Stripe with the merchant's key; null when Stripe has none of that id for this account. */
  async setupIntent(id: string): Promise<StripeSetupIntentView | null> {
    let si: Stripe.SetupIntent;
    try {
      si = await this.stripe.setupIntents.retrieve(id);
    } catch (err) {
      const e = err as { type?: string; statusCode?: number };
      if (e?.type === 'StripeInvalidRequestError' && e.statusCode === 404) return null;
      return this.call<null>(() => Promise.reject(err)); // mapped as every call's failure
    }
    const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));
    const error = si.last_setup_error;
    return {
      id: si.id,
      status: si.status,
      customer: idOf(si.customer as string | { id: string } | null),
      paymentMethod: idOf(si.payment_method as string | { id: string } | null),
      usage: si.usage ?? null,
      metadata: (si.metadata ?? {}) as Record<string, string>,
      lastError: error ? { code: error.code ?? 'setup_failed', declineCode: error.decline_code ?? null, message: error.message ?? 'The card could not be saved.' } : null,
    };
  }

  /** The new card as the Customer's default for invoices and, when Stripe Billing renews the subscription, its Stripe Subscription's (keyed by the link). */
  async makeDefaultPaymentMethod(subscriptionId: string, customer: string, stripeSubscriptionId: string | null, paymentMethod: string, linkNonce: string): Promise<void> {
    await this.call(() =>
      this.stripe.customers.update(customer, { invoice_settings: { default_payment_method: paymentMethod } }, { idempotencyKey: billingKey(subscriptionId, `card-update:${linkNonce}:customer-default`) }),
    );
    if (!stripeSubscriptionId) return;
    await this.call(() =>
      this.stripe.subscriptions.update(stripeSubscriptionId, { default_payment_method: paymentMethod }, { idempotencyKey: billingKey(subscriptionId, `card-update:${linkNonce}:subscription-default`) }),
    );
  }

  /**
   * A past-due Stripe invoice paid now with the new card (off-session: the buyer saved it a moment
   * ago), keyed by the link and the invoice: a second submission of the page gets Stripe's stored
   * answer, never a second charge. Stripe then sends invoice.paid, which pays Handoff's invoice.
   */
  async payInvoice(subscriptionId: string, invoiceId: string, paymentMethod: string, linkNonce: string): Promise<StripeInvoicePayment> {
    const current = await this.call(() => this.stripe.invoices.retrieve(invoiceId));
    if (current.status === 'paid') return 'already_paid';
    if (current.status !== 'open' && current.status !== 'uncollectible') return 'not_due'; // void or draft: nothing to pay
    try {
      const paid = await this.stripe.invoices.pay(invoiceId, { payment_method: paymentMethod, off_session: true }, { idempotencyKey: billingKey(subscriptionId, `card-update:${linkNonce}:pay:${invoiceId}`) });
      return paid.status === 'paid' ? 'paid' : 'pending';
    } catch (err) {
      const e = err as { type?: string; code?: string };
      if (e?.type === 'StripeCardError') return e.code === 'authentication_required' ? 'requires_action' : 'declined';
      return this.call<StripeInvoicePayment>(() => Promise.reject(err)); // mapped as every call's failure
    }
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
