// An agent's webhook endpoints (issue 21 items 3 and 7; docs/acp.md): where Handoff POSTs the
// events about the checkout sessions that agent created — checkout.completed, payment.failed,
// conversion.verified and the ACP order events (order_create, order_update). The same rows as a
// merchant's endpoints (merchant.webhook_endpoints, owner agent_id), the same URL rules, secret
// handling (shown once, sealed at rest), intake, signed deliveries, retries, disabling and log:
// only the owner differs. An AGENT key sees and changes its own endpoints only; any other id is
// NOT_FOUND. At most 16 live endpoints per agent.
import { AGENT_WEBHOOK_EVENT_TYPES, ErrorCode, HandoffError, type IdempotencyStore, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxNotifier } from '../events.js';
import { agentNotFound } from '../agent/agent.errors.js';
import { AgentEntity } from '../agent/agent.entity.js';
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
  sentTestEventsCodec,
  type EndpointWithSecret,
  type SentTestEvent,
  type WebhookEndpointOptions,
} from '../webhook-endpoint/owned-endpoints.js';
import { endpointObject, WebhookEndpointEntity } from '../webhook-endpoint/webhook-endpoint.entity.js';
import { webhookEndpointNotFound } from '../webhook-endpoint/webhook-endpoint.errors.js';
import type { WebhookEndpointSpec } from '../webhook-endpoint/webhook-endpoint.validation.js';

export const MAX_ENDPOINTS_PER_AGENT = 16;

type AgentCaller = Principal & { kind: 'AGENT' };

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
    const draft = await checkedCreate(input, this.opts, AGENT_WEBHOOK_EVENT_TYPES);
    const created = await this.idempotency.run(
      { principal, key, operation: 'createAgentWebhookEndpoint', input: { ...input } },
      async (manager) => {
        // The agent's row lock orders concurrent creates, so the limit holds.
        const agent = await manager.findOne(AgentEntity, { where: { id: principal.agentId }, lock: { mode: 'pessimistic_write' } });
        if (!agent) throw agentNotFound(principal.agentId);
        return insertEndpoint(manager, { kind: 'agent', id: agent.id }, draft, this.opts.encryptionKey, MAX_ENDPOINTS_PER_AGENT, agentWebhookEndpointLimitReached);
      },
      endpointWithSecretCodec(this.opts.encryptionKey),
    );
    this.outbox.notify();
    return created;
  }

  /** Only the fields given change. Enabling again clears an automatic disabling and its failure streak. */
  async update(principal: AgentCaller, id: string, input: WebhookEndpointSpec): Promise<WebhookEndpointEntity> {
    const draft = await checkedUpdate(input, this.opts, AGENT_WEBHOOK_EVENT_TYPES);
    return this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      await changeEndpoint(manager, e, draft);
      return e;
    });
  }

  /** Deleted endpoints are seen by no one; their pending deliveries fail now. */
  async delete(principal: AgentCaller, id: string): Promise<WebhookEndpointEntity> {
    return this.dataSource.transaction(async (manager) => {
      const e = await this.loadWritable(manager, principal, id);
      await deleteEndpoint(manager, e);
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
        return addTestEvents(manager, targets, (e) => ({
          merchantId: principal.agentId,
          agentId: principal.agentId,
          audience: 'agent',
          object: { ...endpointObject(e), agent_id: e.agentId },
        }));
      },
      sentTestEventsCodec,
    );
    this.outbox.notify();
    return sent;
  }

  private async enabledEndpoint(manager: EntityManager, principal: AgentCaller, id: string): Promise<WebhookEndpointEntity> {
    return enabledEndpoint(await this.find(principal, id, manager), id);
  }

  /** The calling agent's live endpoints, oldest first. */
  list(principal: AgentCaller, manager: EntityManager = this.dataSource.manager): Promise<WebhookEndpointEntity[]> {
    return liveEndpoints(manager, { kind: 'agent', id: principal.agentId });
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
