// setTaxConfig and Merchant.taxConfig: check the principal, map arguments, call the service.
import { requireKind, requireMerchantAccess } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { mayReadPricingConfig } from '../checkout-pricing/pricing.access.js';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { TaxConfigService } from './tax-config.service.js';
import { TaxConfigInput, TaxConfigType } from './tax-config.type.js';

@Resolver(() => MerchantType)
export class TaxConfigResolver {
  constructor(private readonly service: TaxConfigService) {}

  @Mutation(() => TaxConfigType, { description: "Admin, or the merchant itself. Replaces the merchant's tax configuration." })
  async setTaxConfig(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => TaxConfigInput) input: TaxConfigInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<TaxConfigType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, merchantId);
    const { config, updatedAt } = await this.service.set(ctx.principal, merchantId, input);
    return TaxConfigType.from(config, updatedAt);
  }

  @FieldResolver(() => TaxConfigType, {
    nullable: true,
    description: 'Prices exclude tax and no rates until set; null for anyone but an admin or the merchant itself.',
  })
  async taxConfig(@Root() merchant: MerchantType, @Ctx() ctx: MerchantContext): Promise<TaxConfigType | null> {
    if (!mayReadPricingConfig(ctx.principal, merchant.id)) return null;
    const { config, updatedAt } = await this.service.get(merchant.id);
    return TaxConfigType.from(config, updatedAt);
  }
}
