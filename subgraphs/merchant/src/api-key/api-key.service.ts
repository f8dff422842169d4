// API keys: create (the key is returned once; only its hash is kept), revoke, list, and the
// gateway's lookup of a key hash.
import {
  emptyPage,
  ErrorCode,
  HandoffError,
  generateApiKey,
  idempotencyScope,
  pageOf,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Page,
  type PageArgs,
  type Principal,
  type Role,
} from '@handoff/shared';
import { createHmac } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { AgentEntity } from '../agent/agent.entity.js';
import { agentNotFound } from '../agent/agent.errors.js';
import { emit, MerchantTopic, writeEvents, type OutboxNotifier } from '../events.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { MerchantEntity } from '../merchant/merchant.entity.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { apiKeyNotFound } from './api-key.errors.js';
import { ApiKeyRole } from './api-key.role.js';
import { isKeyHash, validateCreateApiKey, type CreateApiKeySpec } from './api-key.validation.js';

export interface CreatedApiKey {
  /** The whole key: for the caller, this once. */
  key: string;
  apiKey: ApiKeyEntity;
}

export interface ApiKeyPrincipal {
  keyId: string;
  role: ApiKeyRole;
  merchantId: string | null;
  agentId: string | null;
}

/** Admins and services: every key. A merchant: its own merchant keys. Nobody else: none. */
function scopeApiKeys(qb: SelectQueryBuilder<ApiKeyEntity>, principal: Principal): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      qb.andWhere('k.merchantId = :scopeMerchantId AND k.role = :scopeRole', {
        scopeMerchantId: principal.merchantId,
        scopeRole: ApiKeyRole.MERCHANT,
      });
      return true;
    default:
      return false;
  }
}

/**
 * With an idempotency key, the key's random part is derived from the key's scope and the key
 * (HMAC with the server secret): a retry answers the same key, which is never stored.
 */
function derivedKeyBytes(secret: Buffer, principal: Principal, idempotencyKey: string): Buffer {
  return createHmac('sha256', secret).update(`api-key\n${idempotencyScope(principal)}\n${idempotencyKey}`).digest().subarray(0, 24);
}

export class ApiKeyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    /** The server secret the key of an idempotent create is derived with. */
    private readonly secret: Buffer,
    private readonly outbox: OutboxNotifier,
  ) {}

  /**
   * Admin only (checked by the resolver). Under an idempotency key the key is derived from it
   * (see derivedKeyBytes), so a replay shows the same key while only its id is stored.
   */
  async create(input: CreateApiKeySpec, principal?: Principal, idempotencyKey?: string | null): Promise<CreatedApiKey> {
    const draft = validateCreateApiKey(input);
    const keyed = principal !== undefined && idempotencyKey !== undefined && idempotencyKey !== null;
    const derived = keyed ? () => generateApiKey(draft.role as Role, derivedKeyBytes(this.secret, principal!, idempotencyKey!)) : undefined;
    const codec: IdempotencyCodec<CreatedApiKey> = {
      toStored: (c) => ({ id: c.apiKey.id }),
      fromStored: async (stored: { id: string }, manager) => ({ key: derived!().key, apiKey: await manager.findOneByOrFail(ApiKeyEntity, { id: stored.id }) }),
    };
    const run = (exec: (manager: EntityManager) => Promise<CreatedApiKey>): Promise<CreatedApiKey> =>
      keyed
        ? this.idempotency.run({ principal: principal!, key: idempotencyKey, operation: 'createApiKey', input: draft }, exec, codec)
        : this.dataSource.transaction(exec);
    const created = await run(async (manager) => {
      // Key share locks: the owner cannot be deleted under us (the foreign keys would refuse anyway).
      if (draft.merchantId) {
        const found = await manager.findOne(MerchantEntity, { where: { id: draft.merchantId }, lock: { mode: 'pessimistic_read' } });
        if (!found) throw merchantNotFound(draft.merchantId);
      }
      if (draft.agentId) {
        const found = await manager.findOne(AgentEntity, { where: { id: draft.agentId }, lock: { mode: 'pessimistic_read' } });
        if (!found) throw agentNotFound(draft.agentId);
      }
      const generated = derived ? derived() : generateApiKey(draft.role as Role);
      // The key's stored answer expired (24 h) and it is used again: the derived key exists already.
      if (derived && (await manager.existsBy(ApiKeyEntity, { keyHash: generated.hash }))) {
        throw new HandoffError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key already created an API key; use a new idempotency key.');
      }
      const apiKey = manager.create(ApiKeyEntity, {
        id: ulid(),
        role: draft.role,
        keyHash: generated.hash,
        prefix: generated.prefix,
        name: draft.name,
        merchantId: draft.merchantId,
        agentId: draft.agentId,
        createdAt: new Date(),
        revokedAt: null,
      });
      await manager.insert(ApiKeyEntity, apiKey);
      // Its audit row: who made which key for whom (never the key or its hash).
      await writeEvents(manager, [merchantAudit({ entityType: 'api_key', entityId: apiKey.id, merchantId: apiKey.merchantId, action: 'created', after: keyAudited(apiKey) })]);
      return { key: generated.key, apiKey };
    });
    this.outbox.notify();
    return created;
  }

  /** Admin: any key; a merchant: its own merchant keys. Revoking twice is fine (true). */
  async revoke(principal: Principal, id: string): Promise<boolean> {
    let emitted = false;
    await this.dataSource.transaction(async (manager) => {
      const qb = manager.getRepository(ApiKeyEntity).createQueryBuilder('k').where('k.id = :id', { id }).setLock('pessimistic_write');
      const key = scopeApiKeys(qb, principal) ? await qb.getOne() : null;
      if (!key) throw apiKeyNotFound(id);
      if (key.revokedAt) return;
      key.revokedAt = new Date();
      await manager.update(ApiKeyEntity, { id: key.id }, { revokedAt: key.revokedAt });
      // The gateway drops any cached principal for this hash when it sees the event.
      await emit(manager, MerchantTopic.apiKeyRevoked, key.id, {
        keyId: key.id,
        keyHash: key.keyHash,
        role: key.role,
        merchantId: key.merchantId,
        agentId: key.agentId,
        revokedAt: key.revokedAt.toISOString(),
      }, [merchantAudit({ entityType: 'api_key', entityId: key.id, merchantId: key.merchantId, action: 'revoked', before: { revokedAt: null }, after: keyAudited(key) })]);
      emitted = true;
    });
    if (emitted) this.outbox.notify();
    return true;
  }

  async list(principal: Principal, args: PageArgs): Promise<Page<ApiKeyEntity>> {
    const qb = this.dataSource.getRepository(ApiKeyEntity).createQueryBuilder('k');
    return scopeApiKeys(qb, principal) ? pageOf(qb, 'k', args) : emptyPage();
  }

  /**
   * The gateway's lookup: one probe of the unique index on key_hash; null for unknown or revoked.
   * A key found is marked used (lastUsedAt) when that is unset or over LAST_USED_PRECISION_MS old:
   * at most one small write per key per minute (the gateway caches answers for seconds). The mark
   * is informational: a failure to write it never refuses the key.
   */
  async principalForHash(keyHash: string): Promise<ApiKeyPrincipal | null> {
    if (!isKeyHash(keyHash)) return null;
    const key = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .select(['k.id', 'k.role', 'k.merchantId', 'k.agentId', 'k.lastUsedAt'])
      .where('k.keyHash = :keyHash AND k.revokedAt IS NULL', { keyHash })
      .getOne();
    if (!key) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) await this.markUsed(key.id);
    return { keyId: key.id, role: key.role, merchantId: key.merchantId, agentId: key.agentId };
  }

  /** Sets lastUsedAt to now unless another lookup did within the precision (concurrent lookups write once). */
  private async markUsed(id: string): Promise<void> {
    try {
      await this.dataSource
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ lastUsedAt: () => 'now()' })
        .where('id = :id AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :secs))', { id, secs: LAST_USED_PRECISION_MS / 1000 })
        .execute();
    } catch {
      // Informational only: the key still resolves.
    }
  }
}

/** How fresh lastUsedAt is kept: it is written at most once per this long per key. */
export const LAST_USED_PRECISION_MS = 60_000;

/** What an audit row shows of a key: never the key or its hash. */
function keyAudited(k: ApiKeyEntity): Record<string, unknown> {
  return { role: k.role, prefix: k.prefix, name: k.name, merchantId: k.merchantId, agentId: k.agentId, revokedAt: k.revokedAt?.toISOString() ?? null };
}
