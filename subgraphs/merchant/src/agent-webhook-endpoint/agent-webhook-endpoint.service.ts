// An agent's webhook endpoints (issue 21 items 3 and 7; docs/acp.md): where Handoff POSTs the
// events about the checkout sessions that agent created — checkout.completed, payment.failed,
// conversion.verified and the ACP order events (order_create, order_update). The same rows as a
// merchant's endpoints (merchant.webhook_endpoints, owner agent_id), the same URL rules, secret
// handling (shown once, sealed at rest), intake, signed deliveries, retries, disabling and log:
// only the owner differs. An AGENT key sees and changes its own endpoints only; any other id is
// NOT_FOUND. At most 16 live endpoints per agent.
import { addToOutbox, AGENT_WEBHOOK_EVENT_TYPES, ErrorCode, HandoffError, webhookEventId, webhookEventOutboxEvent, type IdempotencyStore, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import type { OutboxNotifier } from '../events.js';
import { agentNotFound } from '../agent/agent.errors.js';
import { AgentEntity } from '../agent/agent.entity.js';
import { generateWebhookSecret, openEndpointSecret, sealEndpointSecret } from '../webhook-endpoint/endpoint-secrets.js';
import { endpointObject, WebhookEndpointEntity } from '../webhook-endpoint/webhook-endpoint.entity.js';
import { webhookEndpointDisabled, webhookEndpointNotFound } from '../webhook-endpoint/webhook-endpoint.errors.js';
import type { EndpointWithSecret, SentTestEvent, WebhookEndpointOptions } from '../webhook-endpoint/webhook-endpoint.service.js';
import { assertResolvesPublic, validateCreateEndpoint, validateUpdateEndpoint, type WebhookEndpointSpec } from '../webhook-endpoint/webhook-endpoint.validation.js';

export const MAX_ENDPOINTS_PER_AGENT = 16;

type AgentCaller = Principal & { kind: 'AGENT' };

const t = (name: string) => `"${SCHEMA_NAME}".${name}`;

export const agentWebhookEndpointLimitReached = (max: number) =>
  new HandoffError(ErrorCode.WEBHOOK_ENDPOINT_LIMIT_REACHED, `An agent may have at most ${max} webhook endpoints: delete one first.`);

export class AgentWebhookEndpointService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
    private readonly opts: WebhookEndpointOptions,
  ) {}

  /** A new endpoint of the calling agent; its secret is answered this once (and to a retry under the same key). */
  async create(principal: AgentCaller, input: WebhookEndpointSpec, key: string | undefined): Promise<EndpointWithSecret> {
    const draft = validateCreateEndpoint(input, this.opts.allowPrivateUrls, AGENT_WEBHOOK_EVENT_TYPES);
    await assertResolvesPublic(draft.url, 'input.url', this.opts.allowPrivateUrls, this.opts.resolve);
    const created = await this.idempotency.run(
      { principal, key, operation: 'createAgentWebhookEndpoint', input: { ...input } },
      async (manager) => {
        // The agent's row lock orders concurrent creates, so the limit holds.
        const agent = await manager.findOne(AgentEntity, { where: { id: principal.agentId }, lock: { mode: 'pessimistic_write' } });
        if (!agent) throw agentNotFound(principal.agentId);
        const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM ${t('webhook_endpoints')} WHERE agent_id = $1 AND deleted_at IS NULL`, [agent.id]);
        if (n >= MAX_ENDPOINTS_PER_AGENT) throw agentWebhookEndpointLimitReached(MAX_ENDPOINTS_PER_AGENT);
        const id = `we_${ulid()}`;
        const secret = draft.secret ?? generateWebhookSecret();
        const now = new Date();
        const endpoint = manager.create(WebhookEndpointEntity, {
          id,
          merchantId: null,
          agentId: agent.id,
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
        return { endpoint, secret };
      },
      {
        toStored: (r) => ({ id: r.endpoint.id, sealed: sealEndpointSecret(this.opts.encryptionKey, r.endpoint.id, r.secret) }),
        fromStored: async (stored: { id: string; sealed: string }, manager) => ({
          endpoint: await manager.findOneByOrFail(WebhookEndpointEntity, { id: stored.id }),
          secret: openEndpointSecret(this.opts.encryptionKey, stored.id, stored.sealed),
        }),
      },
    );
    this.outbox.notify();
    return created;
  }

  /** Only the fields given change. Enabling again clears an automatic disabling and its failure streak. */
  async update(principal: AgentCaller, id: string, input: WebhookEndpointSpec): Promise<WebhookEndpointEntity> {
    const draft = validateUpdateEndpoint(input, this.opts.allowPrivateUrls, AGENT_WEBHOOK_EVENT_TYPES);
    if (draft.url !== undefined) await assertResolvesPublic(draft.url, 'input.url', this.opts.allowPrivateUrls, this.opts.resolve);
    return this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      if (draft.url !== undefined) e.url = draft.url;
      if (draft.events !== undefined) e.events = draft.events;
      if (draft.description !== undefined) e.description = draft.description;
      if (draft.enabled === true && !e.enabled) Object.assign(e, { enabled: true, disabledReason: null, failingSince: null });
      else if (draft.enabled === false && e.enabled) Object.assign(e, { enabled: false, disabledReason: 'MANUAL' });
      e.updatedAt = new Date();
      await manager.save(WebhookEndpointEntity, e);
      return e;
    });
  }

  /** Deleted endpoints are seen by no one; their pending deliveries fail now. */
  async delete(principal: AgentCaller, id: string): Promise<WebhookEndpointEntity> {
    return this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      const now = new Date();
      Object.assign(e, { deletedAt: now, updatedAt: now, enabled: false, disabledReason: e.disabledReason ?? 'MANUAL' });
      await manager.save(WebhookEndpointEntity, e);
      await manager.query(
        `UPDATE ${t('webhook_deliveries')} SET status = 'FAILED', next_attempt_at = NULL, last_error = 'endpoint_deleted', completed_at = now(), updated_at = now()
          WHERE endpoint_id = $1 AND status = 'PENDING'`,
        [e.id],
      );
      return e;
    });
  }

  /**
   * A `webhook_endpoint.test` event to the calling agent's endpoint named (it must be enabled), or
   * to each of its enabled endpoints when none is named: delivered, signed, retried and logged as
   * any event (the merchant's sendTestWebhook, for an agent). The event has no merchant: its
   * merchant slot names the agent (no merchant's endpoint matches it; it targets the endpoint).
   */
  async sendTest(principal: AgentCaller, endpointId: string | null | undefined, key: string | undefined): Promise<SentTestEvent[]> {
    const sent = await this.idempotency.run(
      { principal, key, operation: 'sendAgentTestWebhook', input: { endpointId: endpointId ?? null } },
      async (manager) => {
        const targets = endpointId ? [await this.enabledEndpoint(manager, principal, endpointId)] : await this.list(principal, manager);
        const out: SentTestEvent[] = [];
        for (const e of targets.filter((x) => x.enabled)) {
          const outboxId = await addToOutbox(
            manager,
            SCHEMA_NAME,
            webhookEventOutboxEvent({
              type: 'webhook_endpoint.test',
              merchantId: principal.agentId,
              agentId: principal.agentId,
              audience: 'agent',
              object: { ...endpointObject(e), agent_id: e.agentId },
              occurredAt: new Date().toISOString(),
            }),
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

  private async enabledEndpoint(manager: EntityManager, principal: AgentCaller, id: string): Promise<WebhookEndpointEntity> {
    const e = await this.find(principal, id, manager);
    if (!e) throw webhookEndpointNotFound(id);
    if (!e.enabled) throw webhookEndpointDisabled(id);
    return e;
  }

  /** The calling agent's live endpoints, oldest first. */
  list(principal: AgentCaller, manager: EntityManager = this.dataSource.manager): Promise<WebhookEndpointEntity[]> {
    return manager
      .getRepository(WebhookEndpointEntity)
      .createQueryBuilder('e')
      .where('e.agentId = :agentId AND e.deletedAt IS NULL', { agentId: principal.agentId })
      .orderBy('e.id', 'ASC')
      .getMany();
  }

  /** The endpoint when it is the calling agent's own and live; null otherwise. */
  async find(principal: AgentCaller, id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEndpointEntity | null> {
    const e = await manager.findOneBy(WebhookEndpointEntity, { id });
    return e && e.deletedAt === null && e.agentId !== null && e.agentId === principal.agentId ? e : null;
  }

  private async loadWritable(manager: EntityManager, principal: AgentCaller, id: string): Promise<WebhookEndpointEntity> {
    const e = await manager.findOne(WebhookEndpointEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!e || e.deletedAt !== null || e.agentId === null || e.agentId !== principal.agentId) throw webhookEndpointNotFound(id);
    return e;
  }
}
