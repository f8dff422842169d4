// A merchant's webhook endpoints: create (idempotent; its secret shown once, then kept only as
// ciphertext), change (URL, filter, description, enabled), delete, rotate the secret (the old one
// still signs for 24 hours), read, and send a test event. Admin, or the merchant itself (not while
// suspended); another merchant's endpoint is NOT_FOUND. At most 16 live endpoints per merchant.
import {
  changedFields,
  type OutboxEvent,
  addToOutbox,
  webhookEventId,
  webhookEventOutboxEvent,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Principal,
} from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { writeEvents, type OutboxNotifier } from '../events.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import { merchantOf } from '../merchant-notice/merchant-notice.service.js';
import { generateWebhookSecret, openEndpointSecret, ROTATION_OVERLAP_MS, sealEndpointSecret } from './endpoint-secrets.js';
import { endpointObject, WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { webhookEndpointDisabled, webhookEndpointLimitReached, webhookEndpointNotFound } from './webhook-endpoint.errors.js';
import {
  assertResolvesPublic,
  MAX_ENDPOINTS_PER_MERCHANT,
  validateCreateEndpoint,
  validateUpdateEndpoint,
  type WebhookEndpointSpec,
} from './webhook-endpoint.validation.js';

type Caller = Principal & { kind: 'ADMIN' | 'MERCHANT' };

export interface EndpointWithSecret {
  endpoint: WebhookEndpointEntity;
  /** Shown to the caller this once. */
  secret: string;
}

export interface SentTestEvent {
  eventId: string;
  endpointId: string;
}

export interface WebhookEndpointOptions {
  encryptionKey: Buffer;
  allowPrivateUrls: boolean;
  /** Resolves a host's addresses (dns.lookup by default; tests stand in). */
  resolve?: (host: string) => Promise<string[]>;
}

const t = (name: string) => `"${SCHEMA_NAME}".${name}`;

export class WebhookEndpointService {
  private readonly withSecretCodec: IdempotencyCodec<EndpointWithSecret>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
    private readonly opts: WebhookEndpointOptions,
  ) {
    // A retry with the key answers the same secret: kept as the ciphertext it was stored with.
    this.withSecretCodec = {
      toStored: (r) => ({ id: r.endpoint.id, sealed: sealEndpointSecret(opts.encryptionKey, r.endpoint.id, r.secret) }),
      fromStored: async (stored: { id: string; sealed: string }, manager) => ({
        endpoint: await manager.findOneByOrFail(WebhookEndpointEntity, { id: stored.id }),
        secret: openEndpointSecret(opts.encryptionKey, stored.id, stored.sealed),
      }),
    };
  }

  async create(principal: Caller, input: WebhookEndpointSpec & { merchantId?: string | null }, key: string | undefined): Promise<EndpointWithSecret> {
    const merchantId = merchantOf(principal, input.merchantId);
    if (principal.kind === 'MERCHANT' && input.merchantId && input.merchantId !== merchantId) throw merchantNotFound(input.merchantId);
    const draft = validateCreateEndpoint(input, this.opts.allowPrivateUrls);
    await assertResolvesPublic(draft.url, 'input.url', this.opts.allowPrivateUrls, this.opts.resolve);
    const created = await this.idempotency.run(
      { principal, key, operation: 'createWebhookEndpoint', input: { ...input, merchantId } },
      async (manager) => {
        // The merchant's row lock orders concurrent creates, so the limit holds.
        const merchant = await loadWritableMerchant(manager, principal, merchantId);
        const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM ${t('webhook_endpoints')} WHERE merchant_id = $1 AND deleted_at IS NULL`, [merchant.id]);
        if (n >= MAX_ENDPOINTS_PER_MERCHANT) throw webhookEndpointLimitReached(MAX_ENDPOINTS_PER_MERCHANT);
        const id = `we_${ulid()}`;
        const secret = draft.secret ?? generateWebhookSecret();
        const now = new Date();
        const endpoint = manager.create(WebhookEndpointEntity, {
          id,
          merchantId: merchant.id,
          agentId: null,
          url: draft.url,
          events: draft.events,
          description: draft.description,
          enabled: draft.enabled,
          disabledReason: draft.enabled ? null : 'MANUAL',
          secretCiphertext: sealEndpointSecret(this.opts.encryptionKey, id, secret),
          previousSecretCiphertext: null,
          previousSecretExpiresAt: null,
          failingSince: null,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        });
        await manager.insert(WebhookEndpointEntity, endpoint);
        await writeEvents(manager, [endpointAudit(endpoint, 'created', null)]);
        return { endpoint, secret };
      },
      this.withSecretCodec,
    );
    this.outbox.notify();
    return created;
  }

  /** Only the fields given change. Enabling again clears an automatic disabling and its failure streak. */
  async update(principal: Caller, id: string, input: WebhookEndpointSpec): Promise<WebhookEndpointEntity> {
    const draft = validateUpdateEndpoint(input, this.opts.allowPrivateUrls);
    if (draft.url !== undefined) await assertResolvesPublic(draft.url, 'input.url', this.opts.allowPrivateUrls, this.opts.resolve);
    const updated = await this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      const before = endpointObject(e);
      if (draft.url !== undefined) e.url = draft.url;
      if (draft.events !== undefined) e.events = draft.events;
      if (draft.description !== undefined) e.description = draft.description;
      if (draft.enabled === true && !e.enabled) {
        e.enabled = true;
        e.disabledReason = null;
        e.failingSince = null;
      } else if (draft.enabled === false && e.enabled) {
        e.enabled = false;
        e.disabledReason = 'MANUAL';
      }
      e.updatedAt = new Date();
      await manager.save(WebhookEndpointEntity, e);
      await writeEvents(manager, [endpointAudit(e, 'updated', before)]);
      return e;
    });
    this.outbox.notify();
    return updated;
  }

  /** Deleted endpoints are seen by no one; their pending deliveries fail now. */
  async delete(principal: Caller, id: string): Promise<WebhookEndpointEntity> {
    const deleted = await this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      const before = endpointObject(e);
      const now = new Date();
      Object.assign(e, { deletedAt: now, updatedAt: now, enabled: false, disabledReason: e.disabledReason ?? 'MANUAL' });
      await manager.save(WebhookEndpointEntity, e);
      await manager.query(
        `UPDATE ${t('webhook_deliveries')} SET status = 'FAILED', next_attempt_at = NULL, last_error = 'endpoint_deleted', completed_at = now(), updated_at = now()
          WHERE endpoint_id = $1 AND status = 'PENDING'`,
        [e.id],
      );
      await writeEvents(manager, [endpointAudit(e, 'deleted', before)]);
      return e;
    });
    this.outbox.notify();
    return deleted;
  }

  /** A new secret, shown once; the previous one keeps signing (a second v1) for 24 hours. */
  async rotateSecret(principal: Caller, id: string): Promise<EndpointWithSecret> {
    const rotated = await this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      const secret = generateWebhookSecret();
      const now = new Date();
      e.previousSecretCiphertext = e.secretCiphertext;
      e.previousSecretExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      e.secretCiphertext = sealEndpointSecret(this.opts.encryptionKey, e.id, secret);
      e.updatedAt = now;
      await manager.save(WebhookEndpointEntity, e);
      await writeEvents(manager, [
        merchantAudit({ entityType: 'webhook_endpoint', entityId: e.id, merchantId: e.merchantId!, action: 'secret_rotated', after: { previous_secret_expires_at: e.previousSecretExpiresAt.toISOString() } }),
      ]);
      return { endpoint: e, secret };
    });
    this.outbox.notify();
    return rotated;
  }

  /** The merchant's live endpoints, oldest first (at most 16). */
  async list(principal: Caller, merchantId: string | null | undefined): Promise<WebhookEndpointEntity[]> {
    const own = merchantOf(principal, merchantId);
    if (principal.kind === 'MERCHANT' && merchantId && merchantId !== own) return [];
    return this.dataSource
      .getRepository(WebhookEndpointEntity)
      .createQueryBuilder('e')
      .where('e.merchantId = :own AND e.deletedAt IS NULL', { own })
      .orderBy('e.id', 'ASC')
      .getMany();
  }

  /** The endpoint when the caller may see it; null otherwise (deleted, unknown, another merchant's). */
  async find(principal: Caller, id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEndpointEntity | null> {
    const e = await manager.findOneBy(WebhookEndpointEntity, { id });
    // An agent's endpoint is no merchant's (nor an admin's through these merchant operations).
    if (!e || e.deletedAt !== null || e.agentId !== null || (principal.kind === 'MERCHANT' && e.merchantId !== principal.merchantId)) return null;
    return e;
  }

  /**
   * A `webhook_endpoint.test` event to one endpoint (it must be enabled), or to each enabled
   * endpoint of the merchant when none is named. Delivered, signed and logged as any event.
   */
  async sendTest(principal: Caller, endpointId: string | null | undefined, merchantId: string | null | undefined, key: string | undefined): Promise<SentTestEvent[]> {
    const sent = await this.idempotency.run(
      { principal, key, operation: 'sendTestWebhook', input: { endpointId: endpointId ?? null, merchantId: merchantId ?? null } },
      async (manager) => {
        const targets = endpointId ? [await this.enabledEndpoint(manager, principal, endpointId)] : await this.list(principal, merchantId);
        const out: SentTestEvent[] = [];
        for (const e of targets.filter((x) => x.enabled)) {
          const outboxId = await addToOutbox(
            manager,
            SCHEMA_NAME,
            webhookEventOutboxEvent({ type: 'webhook_endpoint.test', merchantId: e.merchantId!, object: endpointObject(e), occurredAt: new Date().toISOString() }),
          );
          out.push({ eventId: webhookEventId(SCHEMA_NAME, outboxId), endpointId: e.id });
        }
        return out;
      },
      { toStored: (r) => r, fromStored: async (stored: SentTestEvent[]) => stored },
    );
    this.outbox.notify();
    return sent;
  }

  private async enabledEndpoint(manager: EntityManager, principal: Caller, id: string): Promise<WebhookEndpointEntity> {
    const e = await this.find(principal, id, manager);
    if (!e) throw webhookEndpointNotFound(id);
    if (!e.enabled) throw webhookEndpointDisabled(id);
    return e;
  }

  /** The endpoint, locked, for a change by `principal`; NOT_FOUND unless it may change it. */
  private async loadWritable(manager: EntityManager, principal: Caller, id: string): Promise<WebhookEndpointEntity> {
    const e = await manager.findOne(WebhookEndpointEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!e || e.deletedAt !== null || e.merchantId === null || (principal.kind === 'MERCHANT' && e.merchantId !== principal.merchantId)) throw webhookEndpointNotFound(id);
    // A suspended merchant changes nothing (FORBIDDEN), as for its other configuration.
    await loadWritableMerchant(manager, principal, e.merchantId, 'pessimistic_read');
    return e;
  }
}

/** An endpoint's audit row: the endpoint as its webhooks show it (never its secret), the fields that changed. */
function endpointAudit(e: WebhookEndpointEntity, action: string, before: Record<string, unknown> | null): OutboxEvent {
  const after = endpointObject(e);
  const change = { entityType: 'webhook_endpoint' as const, entityId: e.id, merchantId: e.merchantId!, action };
  if (before === null) return merchantAudit({ ...change, after });
  return merchantAudit({ ...change, ...(changedFields(before, after) ?? { before: {}, after: {} }) });
}
