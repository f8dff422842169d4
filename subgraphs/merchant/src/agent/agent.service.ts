// Agents and builders: register (admin), attach a builder to an anonymous agent, and reads
// filtered by the caller (agent.access.ts).
import type { IdempotencyCodec, IdempotencyStore, Page, Principal, ReadPurpose } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { emit, MerchantTopic, type OutboxNotifier } from '../events.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { optionalText, requiredText } from '../input.js';
import { alignById, emptyPage, pageOf, type PageArgs } from '@handoff/shared';
import { scopeAgents } from './agent.access.js';
import { AgentEntity, BuilderEntity } from './agent.entity.js';
import { agentHasBuilder, agentNotFound } from './agent.errors.js';

export interface RegisterAgentSpec {
  name: string;
  builderName?: string | null;
}

const agentCodec: IdempotencyCodec<AgentEntity> = {
  toStored: (a) => ({ id: a.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(AgentEntity, { id: stored.id }),
};

export class AgentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
  ) {}

  async findVisible(principal: Principal, id: string): Promise<AgentEntity | null> {
    const qb = this.dataSource.getRepository(AgentEntity).createQueryBuilder('a').where('a.id = :id', { id });
    return scopeAgents(qb, 'a', principal, 'query') ? qb.getOne() : null;
  }

  async list(principal: Principal, args: PageArgs): Promise<Page<AgentEntity>> {
    const qb = this.dataSource.getRepository(AgentEntity).createQueryBuilder('a');
    return scopeAgents(qb, 'a', principal, 'query') ? pageOf(qb, 'a', args) : emptyPage();
  }

  async findManyVisible(principal: Principal, ids: readonly string[], purpose: ReadPurpose): Promise<Array<AgentEntity | null>> {
    const qb = this.dataSource
      .getRepository(AgentEntity)
      .createQueryBuilder('a')
      .where('a.id = ANY(:ids)', { ids: [...ids] });
    if (!scopeAgents(qb, 'a', principal, purpose)) return ids.map(() => null);
    return alignById(ids, await qb.getMany());
  }

  /** Builders are shown wherever their agent may be seen, so they need no tenant filter. */
  async findBuilders(ids: readonly string[]): Promise<Array<BuilderEntity | null>> {
    const rows = await this.dataSource
      .getRepository(BuilderEntity)
      .createQueryBuilder('b')
      .where('b.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
    return alignById(ids, rows);
  }

  /** Admin only (checked by the resolver). */
  async register(principal: Principal, input: RegisterAgentSpec, idempotencyKey: string | undefined): Promise<AgentEntity> {
    const name = requiredText(input.name, 'name');
    const builderName = optionalText(input.builderName, 'builderName');
    const agent = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'registerAgent', input },
      async (manager) => {
        const builder = builderName === undefined ? null : await this.findOrCreateBuilder(manager, builderName);
        const now = new Date();
        const a = manager.create(AgentEntity, { id: ulid(), name, builderId: builder?.id ?? null, createdAt: now, updatedAt: now });
        await manager.insert(AgentEntity, a);
        await emit(manager, MerchantTopic.agentRegistered, a.id, {
          agentId: a.id,
          name: a.name,
          builderId: builder?.id ?? null,
          builderName: builder?.name ?? null,
        }, [merchantAudit({ entityType: 'agent', entityId: a.id, action: 'created', after: { name: a.name, builderId: builder?.id ?? null, builderName: builder?.name ?? null } })]);
        return a;
      },
      agentCodec,
    );
    this.outbox.notify();
    return agent;
  }

  /**
   * Admin only. Gives an anonymous agent its builder (found or registered by name). Asking
   * again for the builder it already has is a no-op; another builder is INVALID_STATE_TRANSITION.
   */
  async registerBuilder(agentId: string, builderNameInput: string): Promise<AgentEntity> {
    const builderName = requiredText(builderNameInput, 'builderName');
    let emitted = false;
    const agent = await this.dataSource.transaction(async (manager) => {
      const a = await manager.findOne(AgentEntity, { where: { id: agentId }, lock: { mode: 'pessimistic_write' } });
      if (!a) throw agentNotFound(agentId);
      if (a.builderId) {
        const current = await manager.findOneByOrFail(BuilderEntity, { id: a.builderId });
        if (current.name.toLowerCase() === builderName.toLowerCase()) return a;
        throw agentHasBuilder(current.name);
      }
      const builder = await this.findOrCreateBuilder(manager, builderName);
      a.builderId = builder.id;
      a.updatedAt = new Date();
      await manager.save(AgentEntity, a);
      await emit(manager, MerchantTopic.builderRegistered, a.id, { agentId: a.id, builderId: builder.id, builderName: builder.name }, [
        merchantAudit({ entityType: 'agent', entityId: a.id, action: 'builder_registered', before: { builderId: null }, after: { builderId: builder.id, builderName: builder.name } }),
      ]);
      emitted = true;
      return a;
    });
    if (emitted) this.outbox.notify();
    return agent;
  }

  /** One statement, safe under concurrency: the unique index on lower(name) decides. */
  private async findOrCreateBuilder(manager: EntityManager, name: string): Promise<BuilderEntity> {
    const rows: Array<{ id: string; name: string; registered: boolean; created_at: Date }> = await manager.query(
      `INSERT INTO "${SCHEMA_NAME}".builders (id, name, registered, created_at) VALUES ($1, $2, true, now())
       ON CONFLICT ((lower(name))) DO UPDATE SET registered = true
       RETURNING id, name, registered, created_at`,
      [ulid(), name],
    );
    const row = rows[0]!;
    return Object.assign(new BuilderEntity(), { id: row.id, name: row.name, registered: row.registered, createdAt: row.created_at });
  }
}
