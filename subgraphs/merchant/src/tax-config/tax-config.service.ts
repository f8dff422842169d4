// Tax configuration: set (replace whole, with its merchant.updated event and its audit row) and read.
import type { Principal, TaxPricingConfig } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { TaxConfigEntity } from './tax-config.entity.js';
import { merchantUpdateAudit, plain } from '../audit-log/merchant-audit.js';
import { DEFAULT_TAX_CATEGORY, validateTaxConfig, type TaxConfigSpec } from './tax-config.validation.js';

export interface StoredTaxConfig {
  config: TaxPricingConfig;
  updatedAt: Date | null;
}

/** Before a merchant sets one: prices exclude tax and no rate is known (tax 0). */
export const emptyTaxConfig = (): TaxPricingConfig => ({ pricesIncludeTax: false, defaultCategory: DEFAULT_TAX_CATEGORY, rates: [] });

export class TaxConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** Admin, or the merchant itself (not while suspended). */
  async set(principal: Principal, merchantId: string, input: TaxConfigSpec): Promise<StoredTaxConfig> {
    const config = validateTaxConfig(input);
    const stored = await this.dataSource.transaction(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const before = await this.get(merchant.id, manager);
      const row = manager.create(TaxConfigEntity, { merchantId: merchant.id, ...config, updatedAt: new Date() });
      await manager.upsert(TaxConfigEntity, row, ['merchantId']);
      const audit = merchantUpdateAudit({ entityType: 'tax_config', entityId: merchant.id, merchantId: merchant.id, action: 'set' }, plain(before.config), plain(config));
      await this.merchants.emitUpdated(manager, merchant, ['taxConfig'], { taxConfig: config }, audit);
      return { config, updatedAt: row.updatedAt };
    });
    this.outbox.notify();
    await this.merchants.pricingConfigChanged(merchantId);
    return stored;
  }

  async get(merchantId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredTaxConfig> {
    const row = await manager.findOneBy(TaxConfigEntity, { merchantId });
    if (!row) return { config: emptyTaxConfig(), updatedAt: null };
    return {
      config: { pricesIncludeTax: row.pricesIncludeTax, defaultCategory: row.defaultCategory, rates: row.rates },
      updatedAt: row.updatedAt,
    };
  }
}
