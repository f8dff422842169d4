// A merchant's checkout settings, capabilities and transaction limits: read (the defaults where a
// part was never set) and changed field by field, each change in one transaction with the
// merchant's row locked and its merchant.updated event; then checkout-session is told (the
// pricing configuration's version token, which these ride with), before the change is answered.
// Settings and limits: admin, or the merchant itself (not while suspended). Capabilities: admin only
// (the resolver checks the kind).
import {
  badUserInput,
  DEFAULT_CHECKOUT_CAPABILITIES,
  requiredId,
  DEFAULT_CHECKOUT_SETTINGS,
  NO_TRANSACTION_LIMITS,
  type CheckoutCapabilitiesConfig,
  type CheckoutRulesConfig,
  type CheckoutSettingsConfig,
  type Principal,
  type TransactionLimitsConfig,
} from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { merchantUpdateAudit, plain } from '../audit-log/merchant-audit.js';
import { SCHEMA_NAME } from '../constants.js';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import { MerchantEntity } from '../merchant/merchant.entity.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { CheckoutSettingsEntity } from './checkout-settings.entity.js';
import {
  mergeCapabilities,
  mergeCheckoutSettings,
  mergeTransactionLimits,
  type CapabilitiesSpec,
  type CheckoutSettingsSpec,
  type TransactionLimitsSpec,
} from './checkout-settings.validation.js';

export interface Stored<T> {
  value: T;
  updatedAt: Date | null;
}

type Part = 'settings' | 'capabilities' | 'limits';
const PART_COLUMNS: Record<Part, { value: string; at: string; by: string }> = {
  settings: { value: 'settings', at: 'settings_updated_at', by: 'settings_updated_by' },
  capabilities: { value: 'capabilities', at: 'capabilities_updated_at', by: 'capabilities_updated_by' },
  limits: { value: 'limits', at: 'limits_updated_at', by: 'limits_updated_by' },
};

/** Stored settings, completed with the defaults of fields added after they were written. */
export function settingsOf(row: CheckoutSettingsEntity | null): CheckoutSettingsConfig {
  const s = row?.settings;
  if (!s) return { ...DEFAULT_CHECKOUT_SETTINGS, branding: { ...DEFAULT_CHECKOUT_SETTINGS.branding } };
  return { ...DEFAULT_CHECKOUT_SETTINGS, ...s, branding: { ...DEFAULT_CHECKOUT_SETTINGS.branding, ...s.branding } };
}

export const capabilitiesOf = (row: CheckoutSettingsEntity | null): CheckoutCapabilitiesConfig => ({ ...DEFAULT_CHECKOUT_CAPABILITIES, ...(row?.capabilities ?? {}) });
export const limitsOf = (row: CheckoutSettingsEntity | null): TransactionLimitsConfig => ({ ...NO_TRANSACTION_LIMITS, ...(row?.limits ?? {}) });

/** `admin:<key id>`, `merchant:<key id>`: who changed a part. */
const actorOf = (p: Principal) => ('keyId' in p ? `${p.kind.toLowerCase()}:${p.keyId}` : p.kind.toLowerCase());

export class CheckoutSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
  ) {}

  row(merchantId: string, manager: EntityManager = this.dataSource.manager): Promise<CheckoutSettingsEntity | null> {
    return manager.findOneBy(CheckoutSettingsEntity, { merchantId });
  }

  async settings(merchantId: string): Promise<Stored<CheckoutSettingsConfig>> {
    const row = await this.row(merchantId);
    return { value: settingsOf(row), updatedAt: row?.settingsUpdatedAt ?? null };
  }

  async capabilities(merchantId: string): Promise<Stored<CheckoutCapabilitiesConfig>> {
    const row = await this.row(merchantId);
    return { value: capabilitiesOf(row), updatedAt: row?.capabilitiesUpdatedAt ?? null };
  }

  async limits(merchantId: string): Promise<Stored<TransactionLimitsConfig>> {
    const row = await this.row(merchantId);
    return { value: limitsOf(row), updatedAt: row?.limitsUpdatedAt ?? null };
  }

  /** All three, for checkout-session's internal read (in the caller's snapshot). */
  async rules(merchantId: string, manager: EntityManager): Promise<CheckoutRulesConfig> {
    const row = await this.row(merchantId, manager);
    return { settings: settingsOf(row), capabilities: capabilitiesOf(row), limits: limitsOf(row) };
  }

  setSettings(principal: Principal, merchantId: string, input: CheckoutSettingsSpec): Promise<Stored<CheckoutSettingsConfig>> {
    return this.change(principal, merchantId, 'settings', 'checkoutSettings', settingsOf, (row) => mergeCheckoutSettings(settingsOf(row), input));
  }

  setCapabilities(principal: Principal, merchantId: string, input: CapabilitiesSpec): Promise<Stored<CheckoutCapabilitiesConfig>> {
    return this.change(principal, merchantId, 'capabilities', 'checkoutCapabilities', capabilitiesOf, (row) => mergeCapabilities(capabilitiesOf(row), input));
  }

  setLimits(principal: Principal, merchantId: string, input: TransactionLimitsSpec): Promise<Stored<TransactionLimitsConfig>> {
    return this.change(principal, merchantId, 'limits', 'transactionLimits', limitsOf, (row, merchant) => mergeTransactionLimits(limitsOf(row), input, merchant.defaultCurrency));
  }

  /**
   * One part changed: merged and checked under the merchant's lock, written with its event and its
   * audit row (entity `checkout_settings`, id `<merchant>:<part>`, the fields that moved; none when
   * nothing did); nothing written on bad input.
   */
  private async change<T extends object>(
    principal: Principal,
    merchantId: string,
    part: Part,
    eventField: string,
    current: (row: CheckoutSettingsEntity | null) => T,
    merge: (row: CheckoutSettingsEntity | null, merchant: MerchantEntity) => T,
  ): Promise<Stored<T>> {
    const stored = await this.dataSource.transaction(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const row = await this.row(merchant.id, manager);
      const value = merge(row, merchant);
      const c = PART_COLUMNS[part];
      const [written] = (await manager.query(
        `INSERT INTO "${SCHEMA_NAME}".checkout_settings (merchant_id, ${c.value}, ${c.at}, ${c.by}) VALUES ($1, $2::jsonb, now(), $3)
         ON CONFLICT (merchant_id) DO UPDATE SET ${c.value} = EXCLUDED.${c.value}, ${c.at} = EXCLUDED.${c.at}, ${c.by} = EXCLUDED.${c.by}
         RETURNING ${c.at} AS "updatedAt"`,
        [merchant.id, JSON.stringify(value), actorOf(principal)],
      )) as Array<{ updatedAt: Date }>;
      const audit = merchantUpdateAudit(
        { entityType: 'checkout_settings', entityId: `${merchant.id}:${part}`, merchantId: merchant.id, action: 'set' },
        plain(current(row)),
        plain(value),
      );
      await this.merchants.emitUpdated(manager, merchant, [eventField], { [eventField]: value }, audit);
      return { value, updatedAt: written!.updatedAt };
    });
    this.outbox.notify();
    // checkout-session reads these with the pricing configuration: the next payment sees the change.
    await this.merchants.pricingConfigChanged(merchantId);
    return stored;
  }
}

/**
 * Whose settings a read or change is about: the merchant's own (its key; `merchantId` may be
 * omitted), or the merchant an admin names. Another merchant's, or one that does not exist, is
 * MERCHANT_NOT_FOUND.
 */
export async function settingsMerchantOf(dataSource: DataSource, principal: Principal, merchantId: string | null | undefined): Promise<string> {
  const id = merchantId === null || merchantId === undefined ? (principal.kind === 'MERCHANT' ? principal.merchantId : undefined) : requiredId(merchantId, 'merchantId');
  if (id === undefined) throw badUserInput('merchantId', 'is required for an admin.');
  if (principal.kind === 'MERCHANT' && principal.merchantId !== id) throw merchantNotFound(id);
  if (!(await dataSource.manager.existsBy(MerchantEntity, { id }))) throw merchantNotFound(id);
  return id;
}
