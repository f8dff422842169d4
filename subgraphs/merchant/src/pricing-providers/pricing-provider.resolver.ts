// setPricingProvider and Merchant.pricingProviders: check the principal, map arguments, call the service.
import { requireKind, requireMerchantAccess } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { mayReadPricingConfig } from '../checkout-pricing/pricing.access.js';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { PricingProviderService } from './pricing-provider.service.js';
import { PricingConcern, PricingProviderInput, PricingProviderType } from './pricing-provider.type.js';

@Resolver(() => MerchantType)
export class PricingProviderResolver {
  constructor(private readonly service: PricingProviderService) {}

  @Mutation(() => PricingProviderType, {
    description:
      'Admin, or the merchant itself. Chooses who computes tax, shipping or promotions, or keeps inventory. A new HTTP provider (or rotateSigningSecret) returns its signing secret, once.',
  })
  async setPricingProvider(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('concern', () => PricingConcern) concern: PricingConcern,
    @Arg('input', () => PricingProviderInput) input: PricingProviderInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<PricingProviderType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, merchantId);
    const { provider, signingSecret } = await this.service.set(ctx.principal, merchantId, concern, input);
    return PricingProviderType.from(provider, signingSecret);
  }

  @FieldResolver(() => [PricingProviderType], {
    nullable: true,
    description: 'One per concern (TAX, SHIPPING, PROMOTIONS, INVENTORY), BUILT_IN until set; null for anyone but an admin or the merchant itself.',
  })
  async pricingProviders(@Root() merchant: MerchantType, @Ctx() ctx: MerchantContext): Promise<PricingProviderType[] | null> {
    if (!mayReadPricingConfig(ctx.principal, merchant.id)) return null;
    return (await this.service.list(merchant.id)).map((p) => PricingProviderType.from(p));
  }
}
