// What the buyer's card-update page does (issue 22; docs/recurring.md "Card update link"), behind
// the gateway's /billing/card-update/<token> (payment-intent's internal routes, card-update.routes.ts):
//   view(token)   the subscription as the buyer may see it: its items, status, the amount due (the
//                 open invoice of a past-due one), the card on file (brand, last 4), the link's expiry.
//   apply(token, card)  the link checked (card-update-links.ts: invalid, expired, used), the new card
//                 tokenized (the sandbox's test card; Stripe: the page's PaymentMethod) and set up for
//                 off-session charges at the PSP (a SetupIntent: nothing charged). Declined there:
//                 CARD_UPDATE_DECLINED, nothing written, the link still usable. Then replaceSubscriptionCard
//                 with the link's nonce (used once, same transaction): the card replaced, and a PAST_DUE
//                 subscription's open invoice retried at once with it (same row lock as the dunning job:
//                 one charge for the period whatever the order).
// A canceled subscription: SUBSCRIPTION_ALREADY_CANCELED; one Stripe Billing bills, or whose PSP has
// no off-session setup: SUBSCRIPTION_CHANGE_UNSUPPORTED. Nothing here trusts the page: the token is
// the credential, and only what it names is read or changed.
import { SANDBOX_TEST_CARDS } from '@handoff/psp-sandbox/test-cards';
import { badUserInput, ErrorCode, HandoffError } from '@handoff/shared';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import { noPaymentConnector } from '../../payment-intent/payment-intent.errors.js';
import type { PspConnector } from '../../psp/connector.js';
import type { RenewalDeps, RenewalOutcome } from '../billing-renewal.js';
import { cardShown } from '../billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from '../billing-subscription.states.js';
import { subscriptionAlreadyCanceled } from '../lifecycle/cancel.js';
import type { CardUpdateLinks } from './card-update-links.js';
import { replaceSubscriptionCard } from './replace-card.js';

export type NewCardInput = { testCard: string } | { paymentMethod: string };

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
  ) {}

  async view(token: string): Promise<CardUpdateView> {
    const { subscription: s, expiresAt } = await this.links.resolve(token);
    this.refuseUnchangeable(s);
    await this.connectorOf(s);
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
      link_expires_at: Math.floor(expiresAt.getTime() / 1000),
      test_cards: s.provider === PaymentProvider.TEST ? SANDBOX_TEST_CARDS.map((c) => ({ number: c.number, outcome: c.outcome })) : [],
    };
  }

  async apply(token: string, input: NewCardInput): Promise<CardUpdateAnswer> {
    const { subscription: s, nonce } = await this.links.resolve(token);
    this.refuseUnchangeable(s);
    const connector = await this.connectorOf(s);
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
    const after = await ctx.manager.findOneByOrFail(BillingSubscriptionEntity, { id: s.id });
    const invoice = done.retry ? await ctx.manager.findOneBy(BillingInvoiceEntity, { subscriptionId: s.id, period: done.retry.period }) : null;
    return {
      subscription_id: s.id,
      status: after.status.toLowerCase(),
      payment_method: after.paymentMethodId ? { brand: after.paymentMethodBrand, last4: after.paymentMethodLast4 } : null,
      retry: done.retry ? { outcome: done.retry.outcome, period: done.retry.period, invoice_status: invoice ? invoice.status.toLowerCase() : null } : null,
    };
  }

  /** The merchant's PSP, when it can set a card up for off-session charges (the sandbox; Stripe's page is not built yet). */
  private async connectorOf(s: BillingSubscriptionEntity): Promise<PspConnector> {
    const credentials = await this.deps.credentials.get(s.merchantId);
    if (!credentials) throw noPaymentConnector(s.merchantId);
    const connector = this.deps.connectors.for(credentials);
    if (!connector.setupOffSession) throw unsupported(s.id, 'its payment provider takes no card update through this page.');
    return connector;
  }

  private refuseUnchangeable(s: BillingSubscriptionEntity): void {
    if (s.status === B.CANCELED) throw subscriptionAlreadyCanceled(s.id);
    if (s.providerSubscriptionId) throw unsupported(s.id, 'Stripe Billing bills it: its card is changed through Stripe.');
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
