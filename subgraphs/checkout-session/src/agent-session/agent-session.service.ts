// Agent sessions: start one (an agent's recommendation window), and reads through the caller's scope.
import { alignById, badUserInput, emptyPage, pageOf, requireKind, type IdempotencyCodec, type IdempotencyStore, type Page, type PageArgs, type Principal, type ReadPurpose } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { changeAndEmit, table, type OutboxNotifier } from '../events.js';
import { IdPrefix, newId } from '../ids.js';
import { optionalText } from '../input.js';
import { holdingRecommendationOf, scopeAgentSessions } from './agent-session.access.js';
import { agentSessionSnapshot, AgentSessionEntity } from './agent-session.entity.js';
import { AgentSessionStatus } from './agent-session.enums.js';

export const DEFAULT_SESSION_TTL_SECONDS = 30 * 60;
/** Short windows exist for agents that hand off at once (and for tests); a day at most. */
export const MIN_SESSION_TTL_SECONDS = 5;
export const MAX_SESSION_TTL_SECONDS = 24 * 60 * 60;

export interface AgentSessionListArgs extends PageArgs {
  status?: AgentSessionStatus | null;
}

export interface StartAgentSessionSpec {
  query?: string | null;
  ttlSeconds?: number | null;
}

const codec: IdempotencyCodec<AgentSessionEntity> = {
  toStored: (s) => ({ id: s.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(AgentSessionEntity, { id: stored.id }),
};

export function validateStartAgentSession(input: StartAgentSessionSpec | null | undefined): { query: string | null; ttlSeconds: number } {
  const ttl = input?.ttlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < MIN_SESSION_TTL_SECONDS || ttl > MAX_SESSION_TTL_SECONDS) {
    throw badUserInput('ttlSeconds', `must be an integer from ${MIN_SESSION_TTL_SECONDS} to ${MAX_SESSION_TTL_SECONDS}.`);
  }
  return { query: optionalText(input?.query, 'query', 1000) ?? null, ttlSeconds: ttl };
}

export class AgentSessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** An agent opens a recommendation window (default 30 minutes). */
  async start(principal: Principal & { kind: 'AGENT' }, input: StartAgentSessionSpec | null | undefined, key: string | undefined) {
    const { query, ttlSeconds } = validateStartAgentSession(input);
    const session = await this.idempotency.run(
      { principal, key, operation: 'startAgentSession', input: { query, ttlSeconds }, singleWrite: true },
      async (manager) => {
        const now = new Date();
        const s = manager.create(AgentSessionEntity, {
          id: newId(IdPrefix.agentSession),
          agentId: principal.agentId,
          query,
          status: AgentSessionStatus.ACTIVE,
          expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        // The row and its event in one statement.
        await changeAndEmit(
          manager,
          {
            sql: `INSERT INTO ${table('agent_sessions')} (id, agent_id, query, status, expires_at, version, created_at, updated_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            params: [s.id, s.agentId, s.query, s.status, s.expiresAt, s.version, s.createdAt, s.updatedAt],
          },
          'agent_session',
          s.status,
          s.id,
          agentSessionSnapshot(s),
        );
        return s;
      },
      codec,
    );
    this.outbox.notify();
    return session;
  }

  async findVisible(principal: Principal, id: string, purpose: ReadPurpose = 'query'): Promise<AgentSessionEntity | null> {
    const qb = this.dataSource.getRepository(AgentSessionEntity).createQueryBuilder('s').where('s.id = :id', { id });
    return scopeAgentSessions(qb, 's', principal, purpose) ? qb.getOne() : null;
  }

  /**
   * Services only (the ledger, before a merchant's report): the session when it holds a
   * recommendation of one of `merchantId`'s offers, else null (as if it did not exist).
   */
  async findRecommendingMerchant(principal: Principal, id: string, merchantId: string): Promise<AgentSessionEntity | null> {
    requireKind(principal, 'SERVICE');
    const qb = this.dataSource.getRepository(AgentSessionEntity).createQueryBuilder('s').where('s.id = :id', { id });
    holdingRecommendationOf(qb, 's', merchantId);
    return qb.getOne();
  }

  async findManyVisible(principal: Principal, ids: readonly string[], purpose: ReadPurpose): Promise<Array<AgentSessionEntity | null>> {
    const qb = this.dataSource
      .getRepository(AgentSessionEntity)
      .createQueryBuilder('s')
      .where('s.id = ANY(:ids)', { ids: [...ids] });
    if (!scopeAgentSessions(qb, 's', principal, purpose)) return ids.map(() => null);
    return alignById(ids, await qb.getMany());
  }

  /**
   * The caller's agent sessions, oldest first (an agent its own, admin and services all);
   * `status` filters by the status as it reads (an ACTIVE session past its window is EXPIRED).
   */
  list(principal: Principal, args: AgentSessionListArgs): Promise<Page<AgentSessionEntity>> {
    const qb = this.dataSource.getRepository(AgentSessionEntity).createQueryBuilder('s');
    if (!scopeAgentSessions(qb, 's', principal, 'query')) return Promise.resolve(emptyPage());
    if (args.status === AgentSessionStatus.ACTIVE) {
      qb.andWhere(`s.status = 'ACTIVE' AND s.expiresAt > now()`);
    } else if (args.status === AgentSessionStatus.EXPIRED) {
      qb.andWhere(`(s.status = 'EXPIRED' OR (s.status = 'ACTIVE' AND s.expiresAt <= now()))`);
    } else if (args.status) {
      qb.andWhere('s.status = :status', { status: args.status });
    }
    return pageOf(qb, 's', args);
  }
}
