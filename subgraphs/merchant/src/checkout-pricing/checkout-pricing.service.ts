// Everything checkout-session's calculation needs from this subgraph, read in one snapshot
// (REPEATABLE READ): the merchant's currency, shipping, tax, live promotions and providers
// with their decrypted secrets, and its checkout settings, capabilities and limits. For Handoff's own services only (the resolver checks SERVICE).
import type { DataSource } from 'typeorm';
import { MerchantEntity } from '../merchant/merchant.entity.js';
import type { PricingProviderService } from '../pricing-providers/pricing-provider.service.js';
import type { PromotionEntity } from '../promotion/promotion.entity.js';
import type { PromotionService } from '../promotion/promotion.service.js';
import type { ShippingConfigService, StoredShippingConfig } from '../shipping-config/shipping-config.service.js';
import type { StoredTaxConfig, TaxConfigService } from '../tax-config/tax-config.service.js';
import type { CheckoutRulesConfig, PricingProvidersConfig } from '@handoff/shared';
import type { CheckoutSettingsService } from '../checkout-settings/checkout-settings.service.js';

export interface CheckoutPricingSnapshot {
  merchantId: string;
  currency: string;
  shipping: StoredShippingConfig;
  tax: StoredTaxConfig;
  promotions: PromotionEntity[];
  providers: PricingProvidersConfig;
  checkout: CheckoutRulesConfig;
}

export class CheckoutPricingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipping: ShippingConfigService,
    private readonly tax: TaxConfigService,
    private readonly promotions: PromotionService,
    private readonly providers: PricingProviderService,
    private readonly settings: CheckoutSettingsService,
  ) {}

  /** Null when the merchant does not exist. */
  async forMerchant(merchantId: string, now = new Date()): Promise<CheckoutPricingSnapshot | null> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const merchant = await manager.findOneBy(MerchantEntity, { id: merchantId });
      if (!merchant) return null;
      // One connection: the reads run one after another on it.
      const shipping = await this.shipping.get(merchant.id, manager);
      const tax = await this.tax.get(merchant.id, manager);
      const promotions = await this.promotions.findLive(merchant.id, now, manager);
      const providers = await this.providers.decrypted(merchant.id, manager);
      const checkout = await this.settings.rules(merchant.id, manager);
      return { merchantId: merchant.id, currency: merchant.defaultCurrency, shipping, tax, promotions, providers, checkout };
    });
  }
}
