// Payment connectors: connect (or reconnect, which replaces the connector and rotates its
// secrets), reads filtered by the caller, and decrypted credentials for Handoff's own services.
// Secrets never leave this file except as ciphertext, or once as the TEST webhook secret.
import { idempotencyScope, type IdempotencyCodec, type IdempotencyStore, type Principal } from '@handoff/shared';
import { createHmac } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxNotifier } from '../events.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import type { MerchantService } from '../merchant/merchant.service.js';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './crypto.js';
import { connectorScope } from './payment-connector.access.js';
import { PaymentConnectorEntity } from './payment-connector.entity.js';
import { generateWebhookSecret, validateConnectInput, type ConnectSpec } from './payment-connector.validation.js';
import { CONNECTED, type PaymentProvider } from './payment-provider.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';

export interface ConnectResult {
  connector: PaymentConnectorEntity;
  /** Set only when Handoff generated the webhook secret (TEST): shown to the caller this once. */
  webhookSecret: string | null;
}

export interface PaymentConnectorCredentials {
  merchantId: string;
  provider: PaymentProvider;
  secretKey: string | null;
  webhookSecret: string | null;
}

// Binds each ciphertext to its merchant and column.
const secretKeyAad = (merchantId: string) => `payment_connector:${merchantId}:secret_key`;
const webhookSecretAad = (merchantId: string) => `payment_connector:${merchantId}:webhook_secret`;

/** What an idempotent connect stores to answer a retry: the connector as connected (its secrets only as ciphertext), never a secret. */
interface StoredConnect {
  merchantId: string;
  provider: PaymentProvider;
  status: string;
  connectedAt: string;
  publishableKey: string | null;
  webhookSecretCiphertext: string | null;
}

export class PaymentConnectorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly encryptionKey: Buffer,
    private readonly merchants: MerchantService,
    private readonly outbox: OutboxNotifier,
    private readonly idempotency: IdempotencyStore,
  ) {}

  /**
   * Admin, or the merchant itself (not while suspended). Under an idempotency key, the TEST
   * webhook secret is derived from the key (HMAC with the encryption key), so a retry answers
   * the same secret without it being stored; the retry answers the connector as first connected.
   */
  async connect(principal: Principal, merchantId: string, input: ConnectSpec, idempotencyKey?: string | null): Promise<ConnectResult> {
    const secrets = validateConnectInput(input);
    const keyed = idempotencyKey !== undefined && idempotencyKey !== null;
    const derivedSecret = keyed
      ? () =>
          generateWebhookSecret(
            createHmac('sha256', this.encryptionKey).update(`webhook-secret\n${idempotencyScope(principal)}\n${idempotencyKey}`).digest(),
          )
      : undefined;
    if (derivedSecret && secrets.webhookSecretGenerated) secrets.webhookSecret = derivedSecret();
    const codec: IdempotencyCodec<PaymentConnectorEntity> = {
      toStored: (c): StoredConnect => ({
        merchantId: c.merchantId,
        provider: c.provider,
        status: c.status,
        connectedAt: new Date(c.connectedAt).toISOString(),
        publishableKey: c.publishableKey ?? null,
        webhookSecretCiphertext: c.webhookSecretCiphertext,
      }),
      fromStored: async (s: StoredConnect) =>
        Object.assign(new PaymentConnectorEntity(), {
          merchantId: s.merchantId,
          provider: s.provider,
          status: s.status,
          connectedAt: new Date(s.connectedAt),
          publishableKey: s.publishableKey,
          secretKeyCiphertext: null,
          webhookSecretCiphertext: s.webhookSecretCiphertext,
        }),
    };
    const run = (exec: (manager: EntityManager) => Promise<PaymentConnectorEntity>): Promise<PaymentConnectorEntity> =>
      keyed
        ? this.idempotency.run({ principal, key: idempotencyKey, operation: 'connectPaymentProcessor', input: { merchantId, input } }, exec, codec)
        : this.dataSource.transaction(exec);
    const connector = await run(async (manager) => {
      const merchant = await loadWritableMerchant(manager, principal, merchantId);
      const previous = await manager.findOneBy(PaymentConnectorEntity, { merchantId: merchant.id });
      const c = manager.create(PaymentConnectorEntity, {
        merchantId: merchant.id,
        provider: secrets.provider,
        status: CONNECTED,
        secretKeyCiphertext: secrets.secretKey === null ? null : encryptSecret(this.encryptionKey, secrets.secretKey, secretKeyAad(merchant.id)),
        webhookSecretCiphertext:
          secrets.webhookSecret === null
            ? null
            : encryptSecret(this.encryptionKey, secrets.webhookSecret, webhookSecretAad(merchant.id)),
        publishableKey: secrets.publishableKey,
        connectedAt: new Date(),
      });
      await manager.upsert(PaymentConnectorEntity, c, ['merchantId']);
      // Audited without its secrets: which PSP, and when (a reconnection is a change even when the PSP is the same: its secrets are new).
      const shown = (x: PaymentConnectorEntity) => ({ provider: x.provider, status: x.status, publishableKey: x.publishableKey ?? null, connectedAt: new Date(x.connectedAt).toISOString() });
      await this.merchants.emitUpdated(manager, merchant, ['paymentConnector'], { paymentConnector: shown(c) }, [
        merchantAudit({ entityType: 'payment_connector', entityId: merchant.id, merchantId: merchant.id, action: 'connected', before: previous ? shown(previous) : null, after: shown(c) }),
      ]);
      return c;
    });
    this.outbox.notify();
    return { connector, webhookSecret: secrets.webhookSecretGenerated ? secrets.webhookSecret : null };
  }

  /** One query for a batch of merchants (DataLoader). Admins and services: all; a merchant: its own; others: none. */
  async findManyVisible(principal: Principal, merchantIds: readonly string[]): Promise<Array<PaymentConnectorEntity | null>> {
    const qb = this.dataSource
      .getRepository(PaymentConnectorEntity)
      .createQueryBuilder('c')
      .where('c.merchantId = ANY(:ids)', { ids: [...merchantIds] });
    const scope = connectorScope('c', principal);
    if (!scope) return merchantIds.map(() => null);
    if (scope.condition) qb.andWhere(scope.condition, scope.parameters);
    const byMerchant = new Map((await qb.getMany()).map((c) => [c.merchantId, c]));
    return merchantIds.map((id) => byMerchant.get(id) ?? null);
  }

  /**
   * Whether this process's key opens the secrets already stored: the newest connector's are
   * decrypted once before the subgraph serves, so a wrong HANDOFF_ENCRYPTION_KEY stops it with a
   * clear message instead of failing every payment of every merchant with an internal error.
   */
  async assertKeyOpensStoredSecrets(): Promise<void> {
    const [newest] = await this.dataSource.getRepository(PaymentConnectorEntity).find({ order: { connectedAt: 'DESC' }, take: 1 });
    if (!newest) return;
    try {
      await this.credentials(newest.merchantId);
    } catch (err) {
      if (!(err instanceof SecretDecryptionError)) throw err;
      throw new Error(
        `HANDOFF_ENCRYPTION_KEY does not open the payment connector secrets stored in this database (merchant ${newest.merchantId}). ` +
          'Start with the key they were stored with (npm start keeps it in .data/secrets.json), or with a new database.',
      );
    }
  }

  /** The STRIPE connector's publishable key (public: the hosted page's Stripe.js); null for TEST, none given, or no connector. */
  async publishableKey(merchantId: string): Promise<string | null> {
    const c = await this.dataSource.getRepository(PaymentConnectorEntity).findOneBy({ merchantId });
    return c?.provider === 'STRIPE' ? (c.publishableKey ?? null) : null;
  }

  /** Whether the merchant takes live payments: a STRIPE connector with a live key (the `livemode` of its webhook events). */
  async livemode(merchantId: string): Promise<boolean> {
    const c = await this.dataSource.getRepository(PaymentConnectorEntity).findOneBy({ merchantId });
    if (c?.provider !== 'STRIPE' || c.secretKeyCiphertext === null) return false;
    return /^(?:sk|rk)_live_/.test(decryptSecret(this.encryptionKey, c.secretKeyCiphertext, secretKeyAad(merchantId)));
  }

  /** Decrypted credentials, for Handoff's own services only (the resolver checks SERVICE). */
  async credentials(merchantId: string): Promise<PaymentConnectorCredentials | null> {
    const c = await this.dataSource.getRepository(PaymentConnectorEntity).findOneBy({ merchantId });
    if (!c) return null;
    return {
      merchantId: c.merchantId,
      provider: c.provider,
      secretKey: c.secretKeyCiphertext === null ? null : decryptSecret(this.encryptionKey, c.secretKeyCiphertext, secretKeyAad(merchantId)),
      webhookSecret:
        c.webhookSecretCiphertext === null
          ? null
          : decryptSecret(this.encryptionKey, c.webhookSecretCiphertext, webhookSecretAad(merchantId)),
    };
  }
}
