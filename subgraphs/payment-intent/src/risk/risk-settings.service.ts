// A merchant's risk settings: its rules and score thresholds, the amount above which a verified
// identity (KYC) is required, and its fraud provider's webhook secret (made here, shown once,
// kept encrypted). Kept in payment-intent, beside the confirmations they judge and the history
// they count (docs/architecture.md, "Risk"): a rule changed is in force at the very next
// confirmation, and a confirmation never waits on another subgraph for them.
//
// Every change writes its audit row (entity `risk_settings`, the merchant's id) in its
// transaction: the rules and thresholds that moved, or that the fraud secret was rolled (never
// the secret). An admin naming a merchant that does not exist is MERCHANT_NOT_FOUND, nothing written.
import { addAllToOutbox, auditOutboxEvent, changedFields, decryptSecret, encryptSecret, requireKind, type OutboxEvent, type Principal } from '@handoff/shared';
import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { PAYMENT_SCHEMA } from '../payment-intent/payment-intent.changes.js';
import { capabilityDisabled, merchantNotFound, merchantOf } from './risk.errors.js';
import { RiskSettingsEntity } from './risk.entities.js';
import { RiskAction, type RiskConfig } from './risk.model.js';
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

/** What the merchant subgraph answers about a merchant. */
export interface MerchantDirectory {
  merchantExists(merchantId: string): Promise<boolean>;
  /** Its threeDSecure capability (an admin's choice). */
  threeDSecureEnabled(merchantId: string): Promise<boolean>;
}

/** Whether a configuration would force 3-D Secure (a CHALLENGE rule, or a challenge threshold). */
const challenges = (c: RiskConfig) => c.challengeAt !== null || c.rules.some((r) => r.enabled && r.action === RiskAction.CHALLENGE);

const auditOf = (merchantId: string, action: string, diff: { before: Record<string, unknown>; after: Record<string, unknown> }): OutboxEvent =>
  auditOutboxEvent({ entityType: 'risk_settings', entityId: merchantId, merchantId, action, ...diff }, 'payment-intent');

/** The audited fields of a configuration (JSON as the audit row holds it). */
const audited = (c: RiskConfig): Record<string, unknown> => JSON.parse(JSON.stringify(c)) as Record<string, unknown>;

export class RiskSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryptionKey: Buffer,
    /** Without it (unit tests), an admin's merchant id is taken as it is. */
    private readonly merchants?: MerchantDirectory,
    /** After a commit that wrote outbox rows. */
    private readonly committed: () => void = () => undefined,
  ) {}

  /**
   * Whether the merchant may use 3-D Secure now (its threeDSecure capability, read at payment
   * time: an admin may turn it off after the rules were saved). True without a directory (unit tests).
   */
  threeDSecureAllowed(merchantId: string): Promise<boolean> {
    return this.merchants ? this.merchants.threeDSecureEnabled(merchantId) : Promise.resolve(true);
  }

  /** The merchant a change is about; an admin's must exist. */
  private async writableMerchant(principal: Principal, merchantId: string | null | undefined): Promise<string> {
    const id = merchantOf(principal, merchantId);
    if (principal.kind === 'ADMIN' && this.merchants && !(await this.merchants.merchantExists(id))) throw merchantNotFound(id);
    return id;
  }

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
    const c = validateRiskRules(spec);
    const id = await this.writableMerchant(principal, merchantId);
    // A challenge is 3-D Secure forced at the PSP: only for a merchant allowed to use it.
    if (challenges(c) && this.merchants && !(await this.merchants.threeDSecureEnabled(id))) throw capabilityDisabled('three_d_secure');
    const view = await this.dataSource.transaction(async (manager) => {
      // The row as it was (locked: two changes at once each audit what they replaced).
      const before = await manager.findOne(RiskSettingsEntity, { where: { merchantId: id }, lock: { mode: 'pessimistic_write' } });
      await manager.query(
      `INSERT INTO payment.risk_settings AS s (merchant_id, rules, challenge_at, review_at, block_at, kyc_required_above_minor, kyc_currency)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7)
       ON CONFLICT (merchant_id) DO UPDATE SET rules = EXCLUDED.rules, challenge_at = EXCLUDED.challenge_at, review_at = EXCLUDED.review_at,
         block_at = EXCLUDED.block_at, kyc_required_above_minor = EXCLUDED.kyc_required_above_minor, kyc_currency = EXCLUDED.kyc_currency,
         version = s.version + 1, updated_at = now()
       RETURNING merchant_id`,
      [id, JSON.stringify(c.rules), c.challengeAt, c.reviewAt, c.blockAt, c.kycRequiredAbove?.amountMinor ?? null, c.kycRequiredAbove?.currency ?? null],
      );
      const after = await manager.findOneByOrFail(RiskSettingsEntity, { merchantId: id });
      const diff = changedFields(audited(before ? configOf(before) : EMPTY), audited(configOf(after)));
      if (diff) await addAllToOutbox(manager, PAYMENT_SCHEMA, [auditOf(id, 'rules_set', diff)]);
      return viewOf(id, after);
    });
    this.committed();
    return view;
  }

  /** A new fraud-provider webhook secret (the previous one stops verifying at once); answered this once. */
  async rollFraudWebhookSecret(principal: Principal, merchantId: string | null | undefined): Promise<string> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const id = await this.writableMerchant(principal, merchantId);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO payment.risk_settings AS s (merchant_id, fraud_webhook_secret) VALUES ($1, $2)
         ON CONFLICT (merchant_id) DO UPDATE SET fraud_webhook_secret = EXCLUDED.fraud_webhook_secret, version = s.version + 1, updated_at = now()
         RETURNING version`,
        [id, encryptSecret(this.encryptionKey, secret, secretPurpose(id))],
      )) as Array<{ version: number }>;
      await addAllToOutbox(manager, PAYMENT_SCHEMA, [auditOf(id, 'fraud_webhook_secret_rolled', { before: {}, after: { fraudWebhookSecretSet: true, version: row!.version } })]);
    });
    this.committed();
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
