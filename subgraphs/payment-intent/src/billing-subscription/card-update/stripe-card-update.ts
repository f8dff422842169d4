// The buyer's card update for a subscription a STRIPE merchant is paid through (issue 22;
// docs/recurring.md "Card update link", Stripe): the page collects the card with Stripe.js in
// setup mode, so the card number never reaches Handoff.
//   setup(link)   a SetupIntent on the subscription's Stripe Customer (usage off_session, metadata
//                 naming the subscription and the link's nonce; one per link: Stripe's idempotency
//                 key names the nonce), its client secret for the page's stripe.confirmSetup.
//   apply(link, seti_…)  the SetupIntent read back from Stripe with the merchant's secret key (the
//                 page's word is never taken): it must be this Customer's, this subscription's, this
//                 link's, for off-session use (else CARD_UPDATE_SETUP_INVALID, reason
//                 setup_intent:<why>), and succeeded (else CARD_UPDATE_DECLINED, reason the setup
//                 error or setup_intent:<status>; the link stays usable). Then replaceSubscriptionCard
//                 with the link's nonce (one use): under the row lock, Stripe told first (the card as
//                 the Customer's default for invoices and, when Stripe Billing renews it, the Stripe
//                 Subscription's default_payment_method), then the card changed
//                 (subscription.updated, subscription.payment_method_updated). The past-due invoice:
//                   - Handoff renews it (not linked yet): chargeOffSession with the new card and the
//                     Customer, as for the sandbox (same row lock, one live intent per period);
//                   - Stripe Billing renews it: Stripe's open invoice paid now (invoices.pay, key
//                     `bsub:<id>:card-update:<nonce>:pay:<invoice>`); Stripe's invoice.paid webhook then
//                     pays Handoff's invoice and makes it ACTIVE (stripe-billing-events.ts). Stripe failing
//                     at that call (after the commit) answers `pending`: Stripe retries the invoice itself
//                     with the new default card.
//   Submitted twice: the second finds the link used (CARD_UPDATE_LINK_USED) before Stripe is called;
//   Stripe's keys derive from the link, so even a retried call is answered, not repeated.
import { ErrorCode, HandoffError } from '@handoff/shared';
import { pspCall } from '../../payment-intent/payment-intent.command-run.js';
import { CARD_UPDATE_LINK_METADATA_KEY, HANDOFF_SUBSCRIPTION_METADATA_KEY } from '../../psp/stripe/stripe-billing.js';
import type { StripeConnector } from '../../psp/stripe/stripe-connector.js';
import type { RenewalDeps } from '../billing-renewal.js';
import { cardShown } from '../billing-checkout.js';
import type { BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { replaceSubscriptionCard, type CardReplaced } from './replace-card.js';

export const setupInvalid = (reason: string, message: string) => new HandoffError(ErrorCode.CARD_UPDATE_SETUP_INVALID, message, { reason });

/** The subscription's Stripe Customer (made at checkout); none: its card was never saved at Stripe, so this page cannot change it. */
export function stripeCustomerOf(s: BillingSubscriptionEntity): string {
  if (!s.providerCustomerId) throw new HandoffError(ErrorCode.SUBSCRIPTION_CHANGE_UNSUPPORTED, `Subscription ${s.id}: it has no Stripe Customer, so its card cannot be changed on this page.`);
  return s.providerCustomerId;
}

export async function stripeSetupForLink(connector: StripeConnector, s: BillingSubscriptionEntity, nonce: string): Promise<{ setup_intent: string; client_secret: string }> {
  const customer = stripeCustomerOf(s);
  const si = await pspCall(() => connector.billing.cardUpdateSetupIntent(s.id, customer, nonce));
  return { setup_intent: si.id, client_secret: si.clientSecret };
}

export async function applyStripeSetup(deps: RenewalDeps, connector: StripeConnector, s: BillingSubscriptionEntity, nonce: string, setupIntentId: string): Promise<CardReplaced> {
  const customer = stripeCustomerOf(s);
  const si = await pspCall(() => connector.billing.setupIntent(setupIntentId));
  if (!si) throw setupInvalid('setup_intent:unknown', `Stripe has no SetupIntent ${setupIntentId} for this merchant.`);
  if (si.customer !== customer) throw setupInvalid('setup_intent:another_customer', 'This SetupIntent saved a card for another customer.');
  if (si.metadata[HANDOFF_SUBSCRIPTION_METADATA_KEY] !== s.id) throw setupInvalid('setup_intent:another_subscription', 'This SetupIntent was made for another subscription.');
  if (si.metadata[CARD_UPDATE_LINK_METADATA_KEY] !== nonce) throw setupInvalid('setup_intent:another_link', 'This SetupIntent was made for another card update link.');
  if (si.usage !== 'off_session') throw setupInvalid('setup_intent:usage', 'This SetupIntent does not save the card for off-session charges.');
  if (si.status !== 'succeeded' || !si.paymentMethod) {
    const reason = si.lastError ? (si.lastError.declineCode ? `${si.lastError.code}:${si.lastError.declineCode}` : si.lastError.code) : `setup_intent:${si.status}`;
    throw new HandoffError(ErrorCode.CARD_UPDATE_DECLINED, si.lastError?.message ?? `The card was not saved (its setup is ${si.status.replace(/_/g, ' ')}).`, { reason });
  }
  const paymentMethod = si.paymentMethod;
  const card = await cardShown(connector, deps.dataSource.manager, paymentMethod);
  return replaceSubscriptionCard(
    deps,
    s.id,
    { paymentMethodId: paymentMethod, brand: card?.brand ?? null, last4: card?.last4 ?? null },
    {
      linkNonce: nonce,
      atProvider: (locked) => pspCall(() => connector.billing.makeDefaultPaymentMethod(locked.id, customer, locked.providerSubscriptionId, paymentMethod, nonce)),
      // After the commit (the card saved, the link used): Stripe unreachable or refusing is not the buyer's
      // failure. The invoice stays open at Stripe, which retries it on its schedule with the new default card.
      payStripeInvoice: (invoiceId) => connector.billing.payInvoice(s.id, invoiceId, paymentMethod, nonce).catch(() => 'pending' as const),
    },
  );
}
