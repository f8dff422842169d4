// A merchant's risk settings: its rules and score thresholds, the amount above which a verified
// identity (KYC) is required, and its fraud provider's webhook secret (made here, shown once,
// kept encrypted). Kept in payment-intent, beside the confirmations they judge and the history
// they count (docs/architecture.md, "Risk"): a rule changed is in force at the very next
// confirmation, and a confirmation never waits on another subgraph for them.
import { decryptSecret, encryptSecret, requireKind, type Principal } from '@handoff/shared';
import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { merchantOf } from './risk.errors.js';
import { RiskSettingsEntity } from './risk.entities.js';
import type { RiskConfig } from './risk.model.js';
import { validateRiskRules, type RiskRulesSpec } from './risk-rules.validation.js';

export interface RiskSettingsView {
  merchantId: string;
  config: RiskConfig;
  fraudWebhookSecretSet: boolean;
  /** 0 until first set. */
  version: number;
  updatedAt: Date | null;
}

const EMPTY: RiskConfig = Object.freeze({ rules: [], challengeAt: null, reviewAt: null, blockAt: null, kycRequiredAbove: null });
const secretPurpose = (merchantId: string) => `risk_settings:${merchantId}:fraud_webhook_secret`;

export function configOf(row: RiskSettingsEntity): RiskConfig {
  return {
    rules: row.rules ?? [],
    challengeAt: row.challengeAt,
    reviewAt: row.reviewAt,
    blockAt: row.blockAt,
    kycRequiredAbove: row.kycRequiredAboveMinor !== null && row.kycCurrency ? { amountMinor: row.kycRequiredAboveMinor, currency: row.kycCurrency } : null,
  };
}

/** Whether a configuration judges anything (without rules nor a KYC threshold a confirmation is not assessed). */
export const isActive = (c: RiskConfig) => c.rules.some((r) => r.enabled) || c.kycRequiredAbove !== null;

export class RiskSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryptionKey: Buffer,
  ) {}

  /** The merchant's configuration as a confirmation reads it (in its transaction); null when it has none. */
  async load(manager: EntityManager, merchantId: string): Promise<RiskConfig | null> {
    const row = await manager.findOneBy(RiskSettingsEntity, { merchantId });
    return row ? configOf(row) : null;
  }

  async view(principal: Principal, merchantId: string | null | undefined): Promise<RiskSettingsView> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const id = merchantOf(principal, merchantId);
    const row = await this.dataSource.manager.findOneBy(RiskSettingsEntity, { merchantId: id });
    return viewOf(id, row);
  }

  /** Replaces the rules, thresholds and KYC amount (all checked first; nothing written on a mistake). */
  async set(principal: Principal, merchantId: string | null | undefined, spec: RiskRulesSpec): Promise<RiskSettingsView> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const id = merchantOf(principal, merchantId);
    const c = validateRiskRules(spec);
    const [row] = (await this.dataSource.query(
      `INSERT INTO payment.risk_settings AS s (merchant_id, rules, challenge_at, review_at, block_at, kyc_required_above_minor, kyc_currency)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7)
       ON CONFLICT (merchant_id) DO UPDATE SET rules = EXCLUDED.rules, challenge_at = EXCLUDED.challenge_at, review_at = EXCLUDED.review_at,
         block_at = EXCLUDED.block_at, kyc_required_above_minor = EXCLUDED.kyc_required_above_minor, kyc_currency = EXCLUDED.kyc_currency,
         version = s.version + 1, updated_at = now()
       RETURNING merchant_id`,
      [id, JSON.stringify(c.rules), c.challengeAt, c.reviewAt, c.blockAt, c.kycRequiredAbove?.amountMinor ?? null, c.kycRequiredAbove?.currency ?? null],
    )) as Array<{ merchant_id: string }>;
    return viewOf(id, await this.dataSource.manager.findOneByOrFail(RiskSettingsEntity, { merchantId: row!.merchant_id }));
  }

  /** A new fraud-provider webhook secret (the previous one stops verifying at once); answered this once. */
  async rollFraudWebhookSecret(principal: Principal, merchantId: string | null | undefined): Promise<string> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const id = merchantOf(principal, merchantId);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await this.dataSource.query(
      `INSERT INTO payment.risk_settings AS s (merchant_id, fraud_webhook_secret) VALUES ($1, $2)
       ON CONFLICT (merchant_id) DO UPDATE SET fraud_webhook_secret = EXCLUDED.fraud_webhook_secret, version = s.version + 1, updated_at = now()`,
      [id, encryptSecret(this.encryptionKey, secret, secretPurpose(id))],
    );
    return secret;
  }

  /** The secret a fraud provider's decisions for this merchant are signed with; null when none was made. */
  async fraudWebhookSecret(merchantId: string): Promise<string | null> {
    const row = await this.dataSource.manager.findOneBy(RiskSettingsEntity, { merchantId });
    return row?.fraudWebhookSecret ? decryptSecret(this.encryptionKey, row.fraudWebhookSecret, secretPurpose(merchantId)) : null;
  }
}

function viewOf(merchantId: string, row: RiskSettingsEntity | null): RiskSettingsView {
  if (!row) return { merchantId, config: EMPTY, fraudWebhookSecretSet: false, version: 0, updatedAt: null };
  return { merchantId, config: configOf(row), fraudWebhookSecretSet: row.fraudWebhookSecret !== null, version: row.version, updatedAt: row.updatedAt };
}
