// Offer queries and mutations, Offer.merchant and Merchant.offers: check the principal, map
// arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, requireMerchantAccess, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { OfferService } from './offer.service.js';
import { CreateOfferInput, OfferConnection, OfferType, UpdateOfferInput } from './offer.type.js';

@Resolver(() => OfferType)
export class OfferResolver {
  constructor(private readonly service: OfferService) {}

  @Query(() => OfferType, { nullable: true, description: 'Null when it does not exist or is not yours to see.' })
  async offer(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<OfferType | null> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'AGENT', 'SERVICE');
    // One statement for the offer, its merchant and its connector; the loaders `merchant` and
    // `paymentConnector` use are primed with what it read (with the loaders' own scopes).
    const found = await this.service.findVisibleWithMerchant(ctx.principal, id);
    if (!found) return null;
    const { offer, merchant, connector } = found;
    if (merchant !== undefined) ctx.loaders.merchantRefs.prime(offer.merchantId, merchant);
    if (connector !== undefined) ctx.loaders.connectors.prime(offer.merchantId, connector);
    return OfferType.from(offer);
  }

  @Query(() => OfferConnection, {
    description:
      "Admin: all; a merchant: its own; an agent: active merchants' active offers. With `query`: full-text search over name, provider and description (web-search syntax: words, \"phrases\", or, -word), most relevant first.",
  })
  async offers(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('query', () => String, { nullable: true, description: '1 to 200 characters; omitted: every offer you may see, oldest first.' }) query: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<OfferType>> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'AGENT', 'SERVICE');
    const page = query === null || query === undefined
      ? await this.service.list(ctx.principal, { merchantId, first, after })
      : await this.service.search(ctx.principal, { query, merchantId, first, after });
    return mapPage(page, OfferType.from);
  }

  @Mutation(() => OfferType, { description: 'Admin, or the merchant itself.' })
  async createOffer(
    @Arg('input', () => CreateOfferInput) input: CreateOfferInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<OfferType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, input.merchantId);
    return OfferType.from(await this.service.create(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @Mutation(() => OfferType, { description: 'Admin, or the merchant that owns the offer.' })
  async updateOffer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOfferInput) input: UpdateOfferInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<OfferType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return OfferType.from(await this.service.update(ctx.principal, id, input));
  }

  @FieldResolver(() => MerchantType)
  async merchant(@Root() offer: OfferType, @Ctx() ctx: MerchantContext): Promise<MerchantType> {
    const m = await ctx.loaders.merchantRefs.load(offer.merchantId);
    if (!m) throw merchantNotFound(offer.merchantId);
    return MerchantType.from(m);
  }
}

@Resolver(() => MerchantType)
export class MerchantOffersResolver {
  constructor(private readonly service: OfferService) {}

  @FieldResolver(() => OfferConnection, { description: 'The offers of this merchant that you may see.' })
  async offers(
    @Root() merchant: MerchantType,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<OfferType>> {
    return mapPage(await this.service.list(ctx.principal, { merchantId: merchant.id, first, after }), OfferType.from);
  }
}
