// A merchant's webhook endpoints: create (idempotent; its secret shown once, then kept only as
// ciphertext), change (URL, filter, description, enabled), delete, rotate the secret (the old one
// still signs for 24 hours), read, and send a test event. Admin, or the merchant itself (not while
// suspended); another merchant's endpoint is NOT_FOUND. At most 16 live endpoints per merchant.
import { changedFields, type OutboxEvent, type IdempotencyStore, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { writeEvents, type OutboxNotifier } from '../events.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { loadWritableMerchant } from '../merchant/merchant.access.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import { merchantOf } from '../merchant-notice/merchant-notice.service.js';
import {
  addTestEvents,
  changeEndpoint,
  checkedCreate,
  checkedUpdate,
  deleteEndpoint,
  enabledEndpoint,
  endpointWithSecretCodec,
  insertEndpoint,
  liveEndpoints,
  rotateEndpointSecret,
  sentTestEventsCodec,
  type EndpointWithSecret,
  type SentTestEvent,
  type WebhookEndpointOptions,
} from './owned-endpoints.js';
import { endpointObject, WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { webhookEndpointLimitReached, webhookEndpointNotFound } from './webhook-endpoint.errors.js';
import { MAX_ENDPOINTS_PER_MERCHANT, type WebhookEndpointSpec } from './webhook-endpoint.validation.js';

export type { EndpointWithSecret, SentTestEvent, WebhookEndpointOptions } from './owned-endpoints.js';

type Caller = Principal & { kind: 'ADMIN' | 'MERCHANT' };

export class WebhookEndpointService {
  private readonly withSecretCodec: ReturnType<typeof endpointWithSecretCodec>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
    private readonly opts: WebhookEndpointOptions,
  ) {
    this.withSecretCodec = endpointWithSecretCodec(opts.encryptionKey);
  }

  async create(principal: Caller, input: WebhookEndpointSpec & { merchantId?: string | null }, key: string | undefined): Promise<EndpointWithSecret> {
    const merchantId = merchantOf(principal, input.merchantId);
    if (principal.kind === 'MERCHANT' && input.merchantId && input.merchantId !== merchantId) throw merchantNotFound(input.merchantId);
    const draft = await checkedCreate(input, this.opts);
    const created = await this.idempotency.run(
      { principal, key, operation: 'createWebhookEndpoint', input: { ...input, merchantId } },
      async (manager) => {
        // The merchant's row lock orders concurrent creates, so the limit holds.
        const merchant = await loadWritableMerchant(manager, principal, merchantId);
        const r = await insertEndpoint(manager, { kind: 'merchant', id: merchant.id }, draft, this.opts.encryptionKey, MAX_ENDPOINTS_PER_MERCHANT, webhookEndpointLimitReached);
        await writeEvents(manager, [endpointAudit(r.endpoint, 'created', null)]);
        return r;
      },
      this.withSecretCodec,
    );
    this.outbox.notify();
    return created;
  }

/** Only the fields given change. Enabling again clears an automatic disabling and its failure streak. */
  async update(principal: Caller, id: string, input: WebhookEndpointSpec): Promise<WebhookEndpointEntity> {
    const draft = await checkedUpdate(input, this.opts);
    const updated = await this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      const before = endpointObject(e);
      await changeEndpoint(manager, e, draft);
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
      await deleteEndpoint(manager, e);
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
      const secret = await rotateEndpointSecret(manager, e, this.opts.encryptionKey);
      await writeEvents(manager, [
        merchantAudit({ entityType: 'webhook_endpoint', entityId: e.id, merchantId: e.merchantId!, action: 'secret_rotated', after: { previous_secret_expires_at: e.previousSecretExpiresAt!.toISOString() } }),
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
    return liveEndpoints(this.dataSource.manager, { kind: 'merchant', id: own });
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
        return addTestEvents(manager, targets, (e) => ({ merchantId: e.merchantId!, object: endpointObject(e) }));
      },
      sentTestEventsCodec,
    );
    this.outbox.notify();
    return sent;
  }

  private async enabledEndpoint(manager: EntityManager, principal: Caller, id: string): Promise<WebhookEndpointEntity> {
    return enabledEndpoint(await this.find(principal, id, manager), id);
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
