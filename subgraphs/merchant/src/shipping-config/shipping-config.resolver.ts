// setShippingConfig and Merchant.shippingConfig: check the principal, map arguments, call the service.
import { requireKind, requireMerchantAccess } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { mayReadPricingConfig } from '../checkout-pricing/pricing.access.js';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { ShippingConfigService } from './shipping-config.service.js';
import { ShippingConfigInput, ShippingConfigType } from './shipping-config.type.js';

@Resolver(() => MerchantType)
export class ShippingConfigResolver {
  constructor(private readonly service: ShippingConfigService) {}

  @Mutation(() => ShippingConfigType, {
    description: "Admin, or the merchant itself. Replaces the merchant's shipping zones, rates and pickup locations.",
  })
  async setShippingConfig(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => ShippingConfigInput) input: ShippingConfigInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<ShippingConfigType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, merchantId);
    const { config, updatedAt } = await this.service.set(ctx.principal, merchantId, input);
    return ShippingConfigType.from(config, updatedAt);
  }

  @FieldResolver(() => ShippingConfigType, {
    nullable: true,
    description: 'Empty until set; null for anyone but an admin or the merchant itself.',
  })
  async shippingConfig(@Root() merchant: MerchantType, @Ctx() ctx: MerchantContext): Promise<ShippingConfigType | null> {
    if (!mayReadPricingConfig(ctx.principal, merchant.id)) return null;
    const { config, updatedAt } = await this.service.get(merchant.id);
    return ShippingConfigType.from(config, updatedAt);
  }
}
