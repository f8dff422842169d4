// What the buyer's card-update page does (issue 22; docs/recurring.md "Card update link"), behind
// the gateway's /billing/card-update/<token> (payment-intent's internal routes, card-update.routes.ts):
//   view(token)   the subscription as the buyer may see it: its items, status, the amount due (the
//                 open invoice of a past-due one), the card on file (brand, last 4), the link's expiry.
//   setup(token)  Stripe: a SetupIntent on the subscription's Customer for the page's Stripe.js to
//                 confirm (stripe-card-update.ts); the sandbox has none (BAD_USER_INPUT).
//   apply(token, card)  the link checked (card-update-links.ts: invalid, expired, used). Stripe: the
//                 SetupIntent the page confirmed, read back from Stripe and checked (stripe-card-update.ts).
//                 The sandbox: the new card tokenized (its test card) and set up for
//                 off-session charges at the PSP (a SetupIntent: nothing charged). Declined there:
//                 CARD_UPDATE_DECLINED, nothing written, the link still usable. Then replaceSubscriptionCard
//                 with the link's nonce (used once, same transaction): the card replaced, and a PAST_DUE
//                 subscription's open invoice retried at once with it (same row lock as the dunning job:
//                 one charge for the period whatever the order).
// A canceled subscription: SUBSCRIPTION_ALREADY_CANCELED; a Stripe one without a Customer or whose
// merchant gave no publishable key (the page cannot load Stripe.js), or a PSP with no off-session
// setup: SUBSCRIPTION_CHANGE_UNSUPPORTED. Nothing here trusts the page: the token is
// the credential, and only what it names is read or changed.
import { SANDBOX_TEST_CARDS } from '@handoff/psp-sandbox/test-cards';
import { badUserInput, ErrorCode, HandoffError } from '@handoff/shared';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import { noPaymentConnector } from '../../payment-intent/payment-intent.errors.js';
import type { PspConnector } from '../../psp/connector.js';
import { StripeConnector } from '../../psp/stripe/stripe-connector.js';
import type { RenewalDeps, RenewalOutcome } from '../billing-renewal.js';
import { cardShown } from '../billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from '../billing-subscription.states.js';
import { subscriptionAlreadyCanceled } from '../lifecycle/cancel.js';
import type { CardUpdateLinks } from './card-update-links.js';
import { replaceSubscriptionCard, type CardReplaced } from './replace-card.js';
import { applyStripeSetup, stripeCustomerOf, stripeSetupForLink } from './stripe-card-update.js';

export type NewCardInput = { testCard: string } | { paymentMethod: string } | { setupIntent: string };

/** The merchant's Stripe publishable key (the page loads Stripe.js with it); null when it gave none. */
export type PublishableKeyOf = (merchantId: string) => Promise<string | null>;

export interface CardUpdateView {
  subscription_id: string;
  status: string;
  currency: string;
  items: Array<{ name: string; quantity: number; unit_amount: number }>;
  interval: string;
  interval_count: number;
  payment_method: { brand: string | null; last4: string | null } | null;
  /** The open (or uncollectible) invoice a new card pays: its period and amount; null when nothing is owed. */
  amount_due: { period: number; amount: number; status: string } | null;
  /** Which card form the page shows: the sandbox's test card form (TEST), Stripe.js (STRIPE). */
  provider: string;
  /** STRIPE: the page collects the card with Stripe.js (setup mode) under this publishable key; null for the sandbox. */
  stripe: { publishable_key: string } | null;
  link_expires_at: number;
  /** The sandbox's test cards (TEST only), so a tester knows what to type. */
  test_cards: Array<{ number: string; outcome: string }>;
}

export interface CardUpdateAnswer {
  subscription_id: string;
  status: string;
  payment_method: { brand: string | null; last4: string | null } | null;
  /** The retry of the open invoice with the new card, when one was due: its outcome and the invoice as it now is. */
  retry: { outcome: RenewalOutcome; period: number; invoice_status: string | null } | null;
}

const unsupported = (id: string, why: string) => new HandoffError(ErrorCode.SUBSCRIPTION_CHANGE_UNSUPPORTED, `Subscription ${id}: ${why}`);

export class CardUpdatePage {
  constructor(
    private readonly links: CardUpdateLinks,
    private readonly deps: RenewalDeps,
    private readonly publishableKeyOf: PublishableKeyOf = async () => null,
  ) {}

  async view(token: string): Promise<CardUpdateView> {
    const { subscription: s, expiresAt } = await this.links.resolve(token);
    this.refuseUnchangeable(s);
    const connector = await this.connectorOf(s);
    let stripe: CardUpdateView['stripe'] = null;
    if (connector instanceof StripeConnector) {
      stripeCustomerOf(s);
      const key = await this.publishableKeyOf(s.merchantId);
      if (!key) throw unsupported(s.id, 'the merchant has not given its Stripe publishable key, so the card form cannot load.');
      stripe = { publishable_key: key };
    }
    const manager = this.deps.dataSource.manager;
    const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: s.id }, order: { position: 'ASC' } });
    const due = await this.owed(s);
    return {
      subscription_id: s.id,
      status: s.status.toLowerCase(),
      currency: s.currency,
      items: items.map((i) => ({ name: i.name, quantity: i.quantity, unit_amount: i.unitAmountMinor })),
      interval: s.interval.toLowerCase(),
      interval_count: s.intervalCount,
      payment_method: s.paymentMethodId ? { brand: s.paymentMethodBrand, last4: s.paymentMethodLast4 } : null,
      amount_due: due ? { period: due.period, amount: due.amountMinor, status: due.status.toLowerCase() } : null,
      provider: s.provider,
      stripe,
      link_expires_at: Math.floor(expiresAt.getTime() / 1000),
      test_cards: s.provider === PaymentProvider.TEST ? SANDBOX_TEST_CARDS.map((c) => ({ number: c.number, outcome: c.outcome })) : [],
    };
  }

  /** Stripe: the link's SetupIntent, for the page's Stripe.js to confirm. */
  async setup(token: string): Promise<{ setup_intent: string; client_secret: string }> {
    const { subscription: s, nonce } = await this.links.resolve(token);
    this.refuseUnchangeable(s);
    const connector = await this.connectorOf(s);
    if (!(connector instanceof StripeConnector)) throw badUserInput('setup_intent', 'this merchant takes a test card on this page, not a Stripe SetupIntent.');
    return stripeSetupForLink(connector, s, nonce);
  }

  async apply(token: string, input: NewCardInput): Promise<CardUpdateAnswer> {
    const { subscription: s, nonce } = await this.links.resolve(token);
    this.refuseUnchangeable(s);
    const connector = await this.connectorOf(s);
    if (connector instanceof StripeConnector) {
      if (!('setupIntent' in input)) throw badUserInput('setup_intent', "this merchant takes the card through Stripe's form: send the SetupIntent it confirmed.");
      return this.answer(s.id, await applyStripeSetup(this.deps, connector, s, nonce, input.setupIntent));
    }
    if ('setupIntent' in input) throw badUserInput('testCard', 'this merchant takes a test card, not a Stripe SetupIntent.');
    const ctx = { manager: this.deps.dataSource.manager };
    let paymentMethodId: string;
    if ('testCard' in input) {
      if (connector.provider !== PaymentProvider.TEST) throw badUserInput('payment_method', "this merchant takes the card through Stripe's form: send its payment_method.");
      paymentMethodId = await connector.tokenizeTestCard(ctx, input.testCard);
    } else {
      if (connector.provider === PaymentProvider.TEST) throw badUserInput('testCard', 'this merchant takes a test card, not a payment method.');
      paymentMethodId = input.paymentMethod;
    }
    // Checked for off-session charges before anything is written: a decline leaves the subscription and the link as they were.
    const setup = await connector.setupOffSession!(ctx, paymentMethodId, `card-update:${s.id}:${nonce}:${paymentMethodId}`);
    if (!setup.ok) {
      throw new HandoffError(ErrorCode.CARD_UPDATE_DECLINED, setup.message, { reason: setup.declineCode ? `${setup.code}:${setup.declineCode}` : setup.code });
    }
    const card = await cardShown(connector, ctx.manager, paymentMethodId);
    const done = await replaceSubscriptionCard(this.deps, s.id, { paymentMethodId, brand: card?.brand ?? null, last4: card?.last4 ?? null }, { linkNonce: nonce });
    return this.answer(s.id, done);
  }

  /** What the page shows after the card is saved: the subscription as it now is, and the retry's outcome. */
  private async answer(id: string, done: CardReplaced): Promise<CardUpdateAnswer> {
    const manager = this.deps.dataSource.manager;
    const after = await manager.findOneByOrFail(BillingSubscriptionEntity, { id });
    const invoice = done.retry ? await manager.findOneBy(BillingInvoiceEntity, { subscriptionId: id, period: done.retry.period }) : null;
    return {
      subscription_id: id,
      status: after.status.toLowerCase(),
      payment_method: after.paymentMethodId ? { brand: after.paymentMethodBrand, last4: after.paymentMethodLast4 } : null,
      retry: done.retry ? { outcome: done.retry.outcome, period: done.retry.period, invoice_status: invoice ? invoice.status.toLowerCase() : null } : null,
    };
  }

  /** The merchant's PSP, when it can set a card up for off-session charges (the sandbox's setupOffSession; Stripe's SetupIntent confirmed by Stripe.js). */
  private async connectorOf(s: BillingSubscriptionEntity): Promise<PspConnector> {
    const credentials = await this.deps.credentials.get(s.merchantId);
    if (!credentials) throw noPaymentConnector(s.merchantId);
    const connector = this.deps.connectors.for(credentials);
    if (!(connector instanceof StripeConnector) && !connector.setupOffSession) throw unsupported(s.id, 'its payment provider takes no card update through this page.');
    return connector;
  }

  /** Canceled: its card cannot change. (One Stripe Billing renews is changed here too, at Stripe first: stripe-card-update.ts.) */
  private refuseUnchangeable(s: BillingSubscriptionEntity): void {
    if (s.status === B.CANCELED) throw subscriptionAlreadyCanceled(s.id);
  }

  /** The invoice a new card pays: the next period's, open (past due) or uncollectible (unpaid). */
  private owed(s: BillingSubscriptionEntity): Promise<BillingInvoiceEntity | null> {
    if (s.status !== B.PAST_DUE && s.status !== B.UNPAID) return Promise.resolve(null);
    return this.deps.dataSource.manager.findOne(BillingInvoiceEntity, {
      where: [
        { subscriptionId: s.id, period: s.currentPeriod + 1, status: BillingInvoiceStatus.OPEN },
        { subscriptionId: s.id, period: s.currentPeriod + 1, status: BillingInvoiceStatus.UNCOLLECTIBLE },
      ],
    });
  }
}
