// A STRIPE merchant's SUBSCRIPTION checkout (issue 22; docs/recurring.md "Stripe Billing"): the
// card must be reusable off-session at Stripe, which means attached to a Customer. In the
// confirming transaction, before the PaymentIntent is confirmed:
//   - a Stripe Customer for the subscription (key `bsub:<id>:customer`: a retried confirm gets the same one);
//   - paid now: the PaymentIntent is confirmed with `customer` + `setup_future_usage=off_session`
//     (ConfirmOptions.customer / saveForOffSession);
//   - a trial (nothing charged): a SetupIntent (usage off_session, confirmed at once, key
//     `bsub:<id>:setup`) attaches the card to the Customer.
// The Customer id travels in the intent's billing plan to the subscription it starts
// (billing_subscriptions.provider_customer_id); the link job then creates Stripe Billing's
// Subscription (stripe-billing-link.ts). The sandbox needs none of this: its tokens are its vault.
import type { PspConnector } from '../psp/connector.js';
import { StripeConnector } from '../psp/stripe/stripe-connector.js';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { billingSubscriptionIdFor } from './billing-checkout.js';

/** The Stripe Customer of the intent's subscription; null when the connector is not Stripe's. */
export async function stripeCustomerForCheckout(connector: PspConnector, intent: PaymentIntentEntity): Promise<string | null> {
  if (!(connector instanceof StripeConnector) || !intent.checkoutSessionId) return null;
  return connector.billing.customerFor(billingSubscriptionIdFor(intent.checkoutSessionId), intent.merchantId);
}

/** A trial at Stripe: the card saved to the Customer by a SetupIntent (nothing is charged). */
export async function saveTrialCardAtStripe(connector: PspConnector, intent: PaymentIntentEntity, customer: string, paymentMethod: string, returnUrl: string): Promise<void> {
  if (!(connector instanceof StripeConnector) || !intent.checkoutSessionId) return;
  await connector.billing.setupOffSession(billingSubscriptionIdFor(intent.checkoutSessionId), customer, paymentMethod, returnUrl);
}
