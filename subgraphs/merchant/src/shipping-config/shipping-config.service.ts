// Shipping configuration: set (replace whole, one transaction with its merchant.updated event)
// and read. Callers have checked the principal (admin, the merchant itself, or a service).
import type { Principal, ShippingPricingConfig } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { ShippingConfigEntity } from './shipping-config.entity.js';
import { validateShippingConfig, type ShippingConfigSpec } from './shipping-config.validation.js';
import { merchantUpdateAudit, plain } from '../audit-log/merchant-audit.js';

export interface StoredShippingConfig {
  config: ShippingPricingConfig;
  /** Null when the merchant never set one (the configuration is empty). */
  updatedAt: Date | null;
}

export const emptyShippingConfig = (): ShippingPricingConfig => ({ zones: [], pickupLocations: [] });

export class ShippingConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** Admin, or the merchant itself (not while suspended). Amounts must be in the merchant's currency. */
  async set(principal: Principal, merchantId: string, input: ShippingConfigSpec): Promise<StoredShippingConfig> {
    const stored = await this.dataSource.transaction(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const config = validateShippingConfig(input, merchant.defaultCurrency);
      const before = await this.get(merchant.id, manager);
      const row = manager.create(ShippingConfigEntity, { merchantId: merchant.id, ...config, updatedAt: new Date() });
      await manager.upsert(ShippingConfigEntity, row, ['merchantId']);
      const audit = merchantUpdateAudit({ entityType: 'shipping_config', entityId: merchant.id, merchantId: merchant.id, action: 'set' }, plain(before.config), plain(config));
      await this.merchants.emitUpdated(manager, merchant, ['shippingConfig'], { shippingConfig: config }, audit);
      return { config, updatedAt: row.updatedAt };
    });
    this.outbox.notify();
    await this.merchants.pricingConfigChanged(merchantId);
    return stored;
  }

  async get(merchantId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredShippingConfig> {
    const row = await manager.findOneBy(ShippingConfigEntity, { merchantId });
    if (!row) return { config: emptyShippingConfig(), updatedAt: null };
    return { config: { zones: row.zones, pickupLocations: row.pickupLocations }, updatedAt: row.updatedAt };
  }
}
