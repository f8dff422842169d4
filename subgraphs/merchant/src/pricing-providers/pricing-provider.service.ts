// Pricing providers: choose one per concern (BUILT_IN, or the merchant's HTTP endpoint with a
// signing secret Handoff makes, shows once and keeps encrypted), read them back without the
// secret, and decrypt them for checkout-session's calculation (the internal query only).
import type { PricingConcern, PricingProviderConfig, PricingProvidersConfig, Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxNotifier } from '../events.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { decryptSecret, encryptSecret } from '../payment-connector/crypto.js';
import { generateWebhookSecret } from '../payment-connector/payment-connector.validation.js';
import { PricingProviderEntity, providerSnapshot } from './pricing-provider.entity.js';
import { CONCERNS, pricingConcern, validatePricingProvider, type PricingProviderSpec } from './pricing-provider.validation.js';

export interface SetProviderResult {
  provider: PricingProviderEntity;
  /** Set only when this call made a new signing secret: shown to the caller this once. */
  signingSecret: string | null;
}

// Binds each ciphertext to its merchant and concern.
const signingSecretAad = (merchantId: string, concern: PricingConcern) => `pricing_provider:${merchantId}:${concern}:signing_secret`;

/** A concern never set: the built-in provider (not stored). */
export function builtIn(merchantId: string, concern: PricingConcern): PricingProviderEntity {
  return Object.assign(new PricingProviderEntity(), {
    merchantId,
    concern,
    kind: 'BUILT_IN',
    endpointUrl: null,
    signingSecretCiphertext: null,
    timeoutMs: null,
    fallback: null,
    updatedAt: null,
  });
}

export class PricingProviderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryptionKey: Buffer,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
    private readonly allowPrivateUrls: boolean,
  ) {}

  /** Admin, or the merchant itself (not while suspended). */
  async set(principal: Principal, merchantId: string, concernValue: string, input: PricingProviderSpec): Promise<SetProviderResult> {
    const concern = pricingConcern(concernValue);
    const draft = validatePricingProvider(input, this.allowPrivateUrls);
    const result = await this.dataSource.transaction(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const current = await manager.findOneBy(PricingProviderEntity, { merchantId: merchant.id, concern });
      let signingSecret: string | null = null;
      let ciphertext: string | null = null;
      if (draft.kind === 'HTTP') {
        if (current?.signingSecretCiphertext && !draft.rotateSigningSecret) {
          ciphertext = current.signingSecretCiphertext;
        } else {
          signingSecret = generateWebhookSecret();
          ciphertext = encryptSecret(this.encryptionKey, signingSecret, signingSecretAad(merchant.id, concern));
        }
      }
      const row = manager.create(PricingProviderEntity, {
        merchantId: merchant.id,
        concern,
        kind: draft.kind,
        endpointUrl: draft.kind === 'HTTP' ? draft.endpointUrl : null,
        signingSecretCiphertext: ciphertext,
        timeoutMs: draft.kind === 'HTTP' ? draft.timeoutMs : null,
        fallback: draft.kind === 'HTTP' ? draft.fallback : null,
        updatedAt: new Date(),
      });
      await manager.upsert(PricingProviderEntity, row, ['merchantId', 'concern']);
      // Audited without the signing secret: whether it was rotated.
      const before = current ? providerSnapshot(current) : providerSnapshot(builtIn(merchant.id, concern));
      const after = { ...providerSnapshot(row), signingSecretRotated: signingSecret !== null };
      await this.merchants.emitUpdated(manager, merchant, ['pricingProviders'], { pricingProvider: after }, [
        merchantAudit({ entityType: 'pricing_provider', entityId: `${merchant.id}:${concern.toLowerCase()}`, merchantId: merchant.id, action: 'set', before, after }),
      ]);
      return { provider: row, signingSecret };
    });
    this.outbox.notify();
    await this.merchants.pricingConfigChanged(merchantId);
    return result;
  }

  /** Every concern's provider (tax, shipping, promotions, inventory), BUILT_IN where never set (no secrets). */
  async list(merchantId: string, manager: EntityManager = this.dataSource.manager): Promise<PricingProviderEntity[]> {
    const rows = await manager.findBy(PricingProviderEntity, { merchantId });
    return CONCERNS.map((concern) => rows.find((r) => r.concern === concern) ?? builtIn(merchantId, concern));
  }

  /** Decrypted, for Handoff's own services only (the internal query checks SERVICE). */
  async decrypted(merchantId: string, manager: EntityManager = this.dataSource.manager): Promise<PricingProvidersConfig> {
    const [tax, shipping, promotions, inventory] = (await this.list(merchantId, manager)).map((p) => this.open(p)) as [
      PricingProviderConfig,
      PricingProviderConfig,
      PricingProviderConfig,
      PricingProviderConfig,
    ];
    return { tax, shipping, promotions, inventory };
  }

  private open(p: PricingProviderEntity): PricingProviderConfig {
    return {
      concern: p.concern,
      kind: p.kind,
      endpointUrl: p.endpointUrl,
      signingSecret:
        p.signingSecretCiphertext === null
          ? null
          : decryptSecret(this.encryptionKey, p.signingSecretCiphertext, signingSecretAad(p.merchantId, p.concern)),
      timeoutMs: p.timeoutMs,
      fallback: p.fallback,
    };
  }
}
