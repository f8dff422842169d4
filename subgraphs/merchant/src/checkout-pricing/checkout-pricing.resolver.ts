// The internal checkoutPricingConfig(merchantId) query (SERVICE only, @inaccessible): the
// contract in shared/src/contracts/pricing-config.contract.ts, answered in one call.
import { requiredId, requireKind } from '@handoff/shared';
import { Arg, Ctx, Directive, ID, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { PromotionType } from '../promotion/promotion.type.js';
import { ShippingConfigType } from '../shipping-config/shipping-config.type.js';
import { TaxConfigType } from '../tax-config/tax-config.type.js';
import type { CheckoutPricingService } from './checkout-pricing.service.js';
import { CheckoutCapabilitiesType, CheckoutRulesType, CheckoutSettingsType, TransactionLimitsType } from '../checkout-settings/checkout-settings.type.js';
import { CheckoutPricingConfigType, PricingProviderCredentialsType, PricingProvidersConfigType } from './checkout-pricing.type.js';

@Resolver()
export class CheckoutPricingResolver {
  constructor(private readonly service: CheckoutPricingService) {}

  @Query(() => CheckoutPricingConfigType, {
    nullable: true,
    description: "Internal (checkout-session's calculation): a merchant's shipping, tax, live promotions and providers with decrypted secrets; null when no such merchant.",
  })
  @Directive('@inaccessible')
  async checkoutPricingConfig(
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: MerchantContext,
  ): Promise<CheckoutPricingConfigType | null> {
    requireKind(ctx.principal, 'SERVICE');
    const found = await this.service.forMerchant(requiredId(merchantId, 'merchantId'));
    if (!found) return null;
    const credentials = (p: (typeof found.providers)['tax']) => Object.assign(new PricingProviderCredentialsType(), p);
    return Object.assign(new CheckoutPricingConfigType(), {
      merchantId: found.merchantId,
      currency: found.currency,
      shipping: ShippingConfigType.from(found.shipping.config, found.shipping.updatedAt),
      tax: TaxConfigType.from(found.tax.config, found.tax.updatedAt),
      promotions: found.promotions.map(PromotionType.from),
      providers: Object.assign(new PricingProvidersConfigType(), {
        tax: credentials(found.providers.tax),
        shipping: credentials(found.providers.shipping),
        promotions: credentials(found.providers.promotions),
        inventory: credentials(found.providers.inventory ?? { concern: 'INVENTORY', kind: 'BUILT_IN', endpointUrl: null, signingSecret: null, timeoutMs: null, fallback: null }),
      }),
      checkout: Object.assign(new CheckoutRulesType(), {
        settings: CheckoutSettingsType.from(found.checkout.settings, null),
        capabilities: CheckoutCapabilitiesType.from(found.checkout.capabilities, null),
        limits: TransactionLimitsType.from(found.checkout.limits, null),
      }),
    });
  }
}
