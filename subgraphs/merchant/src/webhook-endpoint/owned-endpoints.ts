// What a merchant's and an agent's webhook endpoints share (the same rows, merchant.webhook_endpoints,
// told apart by their owner: merchant_id or agent_id): creating one under the owner's limit with its
// secret sealed at rest (and answered again to a retry under the same key), changing and deleting
// one, rotating its secret, listing the owner's live ones and sending test events. The services
// (webhook-endpoint.service.ts, agent-webhook-endpoint.service.ts) decide who may do what.
import { addToOutbox, webhookEventId, webhookEventOutboxEvent, type HandoffError, type IdempotencyCodec, type WebhookEventPayload } from '@handoff/shared';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { generateWebhookSecret, openEndpointSecret, ROTATION_OVERLAP_MS, sealEndpointSecret } from './endpoint-secrets.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { webhookEndpointDisabled, webhookEndpointNotFound } from './webhook-endpoint.errors.js';
import {
  assertResolvesPublic,
  validateCreateEndpoint,
  validateUpdateEndpoint,
  type CreateEndpointDraft,
  type UpdateEndpointDraft,
  type WebhookEndpointSpec,
} from './webhook-endpoint.validation.js';

/** Whose endpoints: a merchant's or an agent's. */
export interface EndpointOwner {
  kind: 'merchant' | 'agent';
  id: string;
}

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
const ownerColumn = (owner: EndpointOwner) => (owner.kind === 'merchant' ? 'merchant_id' : 'agent_id');

/** A create's input checked (URL, events among `known`, description, secret) and its URL resolved to public addresses. */
export async function checkedCreate(input: WebhookEndpointSpec, opts: WebhookEndpointOptions, known?: readonly string[]): Promise<CreateEndpointDraft> {
  const draft = validateCreateEndpoint(input, opts.allowPrivateUrls, known);
  await assertResolvesPublic(draft.url, 'input.url', opts.allowPrivateUrls, opts.resolve);
  return draft;
}

/** An update's input checked as a create's; a new URL resolved to public addresses. */
export async function checkedUpdate(input: WebhookEndpointSpec, opts: WebhookEndpointOptions, known?: readonly string[]): Promise<UpdateEndpointDraft> {
  const draft = validateUpdateEndpoint(input, opts.allowPrivateUrls, known);
  if (draft.url !== undefined) await assertResolvesPublic(draft.url, 'input.url', opts.allowPrivateUrls, opts.resolve);
  return draft;
}

/** A retry with the key answers the same secret: kept as the ciphertext it was stored with. */
export function endpointWithSecretCodec(encryptionKey: Buffer): IdempotencyCodec<EndpointWithSecret> {
  return {
    toStored: (r) => ({ id: r.endpoint.id, sealed: sealEndpointSecret(encryptionKey, r.endpoint.id, r.secret) }),
    fromStored: async (stored: { id: string; sealed: string }, manager) => ({
      endpoint: await manager.findOneByOrFail(WebhookEndpointEntity, { id: stored.id }),
      secret: openEndpointSecret(encryptionKey, stored.id, stored.sealed),
    }),
  };
}

/**
 * A new endpoint of `owner`, inserted, with its secret (the draft's, or a new one) sealed. The
 * caller holds the owner's row lock, which orders concurrent creates, so at most `max` live
 * endpoints hold: past them, `limitReached(max)`.
 */
export async function insertEndpoint(
  manager: EntityManager,
  owner: EndpointOwner,
  draft: CreateEndpointDraft,
  encryptionKey: Buffer,
  max: number,
  limitReached: (max: number) => HandoffError,
): Promise<EndpointWithSecret> {
  const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM ${t('webhook_endpoints')} WHERE ${ownerColumn(owner)} = $1 AND deleted_at IS NULL`, [owner.id]);
  if (n >= max) throw limitReached(max);
  const id = `we_${ulid()}`;
  const secret = draft.secret ?? generateWebhookSecret();
  const now = new Date();
  const endpoint = manager.create(WebhookEndpointEntity, {
    id,
    merchantId: owner.kind === 'merchant' ? owner.id : null,
    agentId: owner.kind === 'agent' ? owner.id : null,
    url: draft.url,
    events: draft.events,
    description: draft.description,
    enabled: draft.enabled,
    disabledReason: draft.enabled ? null : 'MANUAL',
    secretCiphertext: sealEndpointSecret(encryptionKey, id, secret),
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  await manager.insert(WebhookEndpointEntity, endpoint);
  return { endpoint, secret };
}

/** Only the fields given change. Enabling again clears an automatic disabling and its failure streak. Saved. */
export async function changeEndpoint(manager: EntityManager, e: WebhookEndpointEntity, draft: UpdateEndpointDraft): Promise<void> {
  if (draft.url !== undefined) e.url = draft.url;
  if (draft.events !== undefined) e.events = draft.events;
  if (draft.description !== undefined) e.description = draft.description;
  if (draft.enabled === true && !e.enabled) Object.assign(e, { enabled: true, disabledReason: null, failingSince: null });
  else if (draft.enabled === false && e.enabled) Object.assign(e, { enabled: false, disabledReason: 'MANUAL' });
  e.updatedAt = new Date();
  await manager.save(WebhookEndpointEntity, e);
}

/** Deleted endpoints are seen by no one; their pending deliveries fail now. */
export async function deleteEndpoint(manager: EntityManager, e: WebhookEndpointEntity): Promise<void> {
  const now = new Date();
  Object.assign(e, { deletedAt: now, updatedAt: now, enabled: false, disabledReason: e.disabledReason ?? 'MANUAL' });
  await manager.save(WebhookEndpointEntity, e);
  await manager.query(
    `UPDATE ${t('webhook_deliveries')} SET status = 'FAILED', next_attempt_at = NULL, last_error = 'endpoint_deleted', completed_at = now(), updated_at = now()
      WHERE endpoint_id = $1 AND status = 'PENDING'`,
    [e.id],
  );
}

/** A new secret (answered); the previous one keeps signing (a second v1) for 24 hours. Saved. */
export async function rotateEndpointSecret(manager: EntityManager, e: WebhookEndpointEntity, encryptionKey: Buffer): Promise<string> {
  const secret = generateWebhookSecret();
  const now = new Date();
  e.previousSecretCiphertext = e.secretCiphertext;
  e.previousSecretExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  e.secretCiphertext = sealEndpointSecret(encryptionKey, e.id, secret);
  e.updatedAt = now;
  await manager.save(WebhookEndpointEntity, e);
  return secret;
}

/** The owner's live endpoints, oldest first. */
export function liveEndpoints(manager: EntityManager, owner: EndpointOwner): Promise<WebhookEndpointEntity[]> {
  const column = owner.kind === 'merchant' ? 'merchantId' : 'agentId';
  return manager
    .getRepository(WebhookEndpointEntity)
    .createQueryBuilder('e')
    .where(`e.${column} = :owner AND e.deletedAt IS NULL`, { owner: owner.id })
    .orderBy('e.id', 'ASC')
    .getMany();
}

/** The endpoint found for a test event: NOT_FOUND when none, WEBHOOK_ENDPOINT_DISABLED when disabled. */
export function enabledEndpoint(e: WebhookEndpointEntity | null, id: string): WebhookEndpointEntity {
  if (!e) throw webhookEndpointNotFound(id);
  if (!e.enabled) throw webhookEndpointDisabled(id);
  return e;
}

/** A `webhook_endpoint.test` event (`event(e)`) into the outbox for each enabled target. */
export async function addTestEvents(
  manager: EntityManager,
  targets: WebhookEndpointEntity[],
  event: (e: WebhookEndpointEntity) => Omit<WebhookEventPayload, 'type' | 'occurredAt'>,
): Promise<SentTestEvent[]> {
  const out: SentTestEvent[] = [];
  for (const e of targets.filter((x) => x.enabled)) {
    const outboxId = await addToOutbox(manager, SCHEMA_NAME, webhookEventOutboxEvent({ type: 'webhook_endpoint.test', ...event(e), occurredAt: new Date().toISOString() }));
    out.push({ eventId: webhookEventId(SCHEMA_NAME, outboxId), endpointId: e.id });
  }
  return out;
}

/** The idempotency codec of test events: stored as answered. */
export const sentTestEventsCodec: IdempotencyCodec<SentTestEvent[]> = { toStored: (r) => r, fromStored: async (stored: SentTestEvent[]) => stored };
