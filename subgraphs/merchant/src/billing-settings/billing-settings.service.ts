// A merchant's billing settings (issue 22 item 4): the dunning schedule renewals follow. Read (the
// default until set) and replaced whole, in one transaction with the merchant's row locked, its
// merchant.updated event (`changed: ['billingSettings']`) and its audit row; nothing written on bad
// input (INVALID_DUNNING_SCHEDULE). payment-intent reads it through the SERVICE query.
import { DEFAULT_DUNNING_SETTINGS, validateDunningSettings, type DunningSettings, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { merchantUpdateAudit, plain } from '../audit-log/merchant-audit.js';
import { SCHEMA_NAME } from '../constants.js';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { BillingSettingsEntity } from './billing-settings.entity.js';

export interface StoredBillingSettings {
  dunning: DunningSettings;
  updatedAt: Date | null;
}

const actorOf = (p: Principal) => ('keyId' in p ? `${p.kind.toLowerCase()}:${p.keyId}` : p.kind.toLowerCase());

export const dunningOf = (row: BillingSettingsEntity | null): DunningSettings =>
  row ? { retryDays: [...row.dunningRetryDays], finalStatus: row.dunningFinalStatus } : { retryDays: [...DEFAULT_DUNNING_SETTINGS.retryDays], finalStatus: DEFAULT_DUNNING_SETTINGS.finalStatus };

export class BillingSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
  ) {}

  async get(merchantId: string): Promise<StoredBillingSettings> {
    const row = await this.dataSource.manager.findOneBy(BillingSettingsEntity, { merchantId });
    return { dunning: dunningOf(row), updatedAt: row?.updatedAt ?? null };
  }

  async setDunning(principal: Principal, merchantId: string, input: { retryDays: unknown; finalStatus: unknown }): Promise<StoredBillingSettings> {
    const dunning = validateDunningSettings(input);
    const stored = await this.dataSource.transaction(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const before = await manager.findOneBy(BillingSettingsEntity, { merchantId: merchant.id });
      const [written] = (await manager.query(
        `INSERT INTO "${SCHEMA_NAME}".billing_settings (merchant_id, dunning_retry_days, dunning_final_status, updated_at, updated_by)
         VALUES ($1, $2::int[], $3, now(), $4)
         ON CONFLICT (merchant_id) DO UPDATE SET dunning_retry_days = EXCLUDED.dunning_retry_days,
           dunning_final_status = EXCLUDED.dunning_final_status, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING updated_at AS "updatedAt"`,
        [merchant.id, dunning.retryDays, dunning.finalStatus, actorOf(principal)],
      )) as Array<{ updatedAt: Date }>;
      const audit = merchantUpdateAudit(
        { entityType: 'billing_settings', entityId: `${merchant.id}:dunning`, merchantId: merchant.id, action: 'set' },
        plain(dunningOf(before)),
        plain(dunning),
      );
      await this.merchants.emitUpdated(manager, merchant, ['billingSettings'], { billingSettings: { dunning } }, audit);
      return { dunning, updatedAt: written!.updatedAt };
    });
    this.outbox.notify();
    return stored;
  }
}
