// GraphQL adapter for the merchant's card-update link (issue 22; docs/recurring.md "Card update
// link"): thin over card-update-links.ts, which checks the caller (merchant: its own; admin: any)
// and the subscription. Takes an idempotency key (argument, or the Idempotency-Key header REST
// passes on): a retry with it answers the same link.
import { IdempotencyStore, idempotencyKeyOf, type SubgraphContext } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { CardUpdateLink, CardUpdateLinks } from './card-update-links.js';

@ObjectType('CardUpdateLink', { description: "A one-time, expiring link to the buyer's card-update page for a billing subscription (as Stripe's hosted update-payment-method link)." })
export class CardUpdateLinkType {
  @Field({ description: 'The page the buyer opens (the gateway\'s /billing/card-update/<token>). Used once: a card saved through it ends it.' }) url: string;
  @Field(() => Date, { description: 'After this the page refuses the link (CARD_UPDATE_LINK_EXPIRED).' }) expiresAt: Date;
}

@Resolver()
export class CardUpdateLinkResolver {
  private readonly idempotency: IdempotencyStore;

  constructor(
    dataSource: DataSource,
    private readonly links: CardUpdateLinks,
  ) {
    this.idempotency = new IdempotencyStore(dataSource, 'payment');
  }

  @Mutation(() => CardUpdateLinkType, {
    description:
      "A one-time, expiring link for the subscription's buyer to enter a new card (a merchant: its own subscription; an admin: any). A past-due subscription's open invoice is retried with the new card at once. expiresInSeconds: 1 to 2592000 (30 days), default 7 days. For a merchant paid through Stripe the page takes the card with Stripe.js (a SetupIntent on the subscription's Stripe Customer); when Stripe Billing renews the subscription the card becomes its Stripe default and Stripe's open invoice is paid. Refused: BILLING_SUBSCRIPTION_NOT_FOUND (unknown, another merchant's), SUBSCRIPTION_ALREADY_CANCELED.",
  })
  createCardUpdateLink(
    @Arg('billingSubscriptionId', () => ID) billingSubscriptionId: string,
    @Arg('expiresInSeconds', () => Int, { nullable: true }) expiresInSeconds: number | null,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Idempotency key (or the Idempotency-Key header): a retry with it answers the same link.' }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<CardUpdateLinkType> {
    return this.idempotency.run(
      { principal: ctx.principal, key: idempotencyKeyOf(ctx, idempotencyKey), operation: 'createCardUpdateLink', input: { billingSubscriptionId, expiresInSeconds } },
      async () => toType(await this.links.create(ctx.principal, billingSubscriptionId, expiresInSeconds)),
      { toStored: (l) => ({ url: l.url, expiresAt: l.expiresAt.toISOString() }), fromStored: async (s: { url: string; expiresAt: string }) => toType({ url: s.url, expiresAt: new Date(s.expiresAt) }) },
    );
  }
}

const toType = (l: CardUpdateLink) => Object.assign(new CardUpdateLinkType(), l);
