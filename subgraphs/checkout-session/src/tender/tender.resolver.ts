// GraphQL adapter for gift cards, store credit and a checkout's tender (issue 20 item 3).
import { idempotencyKeyOf, money, requireKind, SafeInt, toMoneyType } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import { GiftCard, GrantStoreCreditInput, IssuedGiftCard, IssueGiftCardInput, StoreCredit } from '../gift-card/gift-card.type.js';
import type { GiftCardService, GiftCardView } from '../gift-card/gift-card.service.js';
import { CheckoutWallet, TenderApplication } from './tender.type.js';
import type { TenderApplication as Application, TenderService } from './tender.service.js';

const giftCardType = (v: GiftCardView): GiftCard =>
  Object.assign(new GiftCard(), { id: v.id, last4: v.last4, balance: toMoneyType(v.balance), initialBalance: toMoneyType(v.initialBalance), expiresAt: v.expiresAt, customerId: v.customerId });
const applicationType = (a: Application): TenderApplication =>
  Object.assign(new TenderApplication(), { checkoutSessionId: a.checkoutSessionId, applied: toMoneyType(a.applied), remaining: toMoneyType(a.remaining) });

@Resolver(() => CheckoutSession)
export class TenderResolver {
  constructor(
    private readonly giftCards: GiftCardService,
    private readonly tender: TenderService,
  ) {}

  @Mutation(() => IssuedGiftCard, { description: 'Issues a gift card (merchant for itself, admin): its code is answered once and only its hash is kept. The ledger credits the merchant’s gift-card liability.' })
  async issueGiftCard(
    @Arg('input', () => IssueGiftCardInput) input: IssueGiftCardInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<IssuedGiftCard> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const issued = await this.giftCards.issue(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey));
    return Object.assign(new IssuedGiftCard(), { code: issued.code, giftCard: giftCardType(issued.giftCard) });
  }

  @Mutation(() => StoreCredit, { description: "Adds store credit to a merchant's customer (merchant for itself, admin). The ledger credits the merchant's store-credit liability." })
  async grantStoreCredit(
    @Arg('input', () => GrantStoreCreditInput) input: GrantStoreCreditInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<StoreCredit> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const r = await this.giftCards.grantStoreCredit(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey));
    return Object.assign(new StoreCredit(), { customerId: r.customerId, balance: toMoneyType(r.balance) });
  }

  @Mutation(() => TenderApplication, {
    description:
      'Holds a gift card on the checkout: the lesser of its balance and what is left to pay. Applying a card already applied changes nothing. ' +
      'GIFT_CARD_NOT_FOUND (wrong code, or not this merchant’s), GIFT_CARD_INVALID (reason gift_card:expired, gift_card:exhausted, gift_card:currency_mismatch, tender:nothing_due): nothing held.',
  })
  async applyCheckoutGiftCard(@Arg('id', () => ID) id: string, @Arg('code', () => String) code: string, @Ctx() ctx: CheckoutContext): Promise<TenderApplication> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return applicationType(await this.tender.applyGiftCard(ctx.principal, id, code));
  }

  @Mutation(() => TenderApplication, { description: 'Releases a gift card applied to the checkout: its amount goes back on the card.' })
  async removeCheckoutGiftCard(@Arg('id', () => ID) id: string, @Arg('code', () => String) code: string, @Ctx() ctx: CheckoutContext): Promise<TenderApplication> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return applicationType(await this.tender.removeGiftCard(ctx.principal, id, code));
  }

  @Mutation(() => TenderApplication, {
    description:
      "Holds the checkout customer's store credit: amountMinor in the checkout's currency, at most what is left to pay (replaces an earlier store-credit hold). " +
      'STORE_CREDIT_UNAVAILABLE (reason store_credit:no_customer, store_credit:insufficient, tender:nothing_due): nothing held.',
  })
  async applyCheckoutStoreCredit(@Arg('id', () => ID) id: string, @Arg('amountMinor', () => SafeInt) amountMinor: number, @Ctx() ctx: CheckoutContext): Promise<TenderApplication> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return applicationType(await this.tender.applyStoreCredit(ctx.principal, id, amountMinor));
  }

  @FieldResolver(() => CheckoutWallet, { description: 'Gift cards and store credit held on the checkout, what is left to pay by card, and what the customer could still apply.' })
  async wallet(@Root() s: CheckoutSessionEntity): Promise<CheckoutWallet> {
    const w = await this.tender.wallet(s);
    return Object.assign(new CheckoutWallet(), {
      applied: w.holds.map((h) => ({ id: h.id, kind: h.kind.toUpperCase(), amount: toMoneyType(money(h.amountMinor, h.currency)), giftCard: h.giftCard ? giftCardType(h.giftCard) : null })),
      held: toMoneyType(w.held),
      amountDue: toMoneyType(w.amountDue),
      storeCredit: w.storeCredit ? toMoneyType(w.storeCredit) : null,
      giftCards: w.giftCards.map(giftCardType),
    });
  }
}
