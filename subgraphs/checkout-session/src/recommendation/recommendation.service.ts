// Recommendations: an agent records that it recommended an active offer in one of its live
// sessions; reads through the caller's scope.
import {
  changeWithEvent, ErrorCode, HandoffError, hotQuery, notFound, RECOMMENDATION_CREATED_TOPIC, type AttributionSigner, type RecommendationCreatedPayload,   type IdempotencyCodec, type IdempotencyStore, type Principal,
} from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { SCHEMA_NAME, table } from '../events.js';
import { scopeRecommendations } from '../agent-session/agent-session.access.js';
import type { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import { sessionExpired, sessionNotFound } from '../agent-session/agent-session.errors.js';
import { isAgentSessionExpired } from '../agent-session/agent-session.states.js';
import type { MerchantDirectory, OfferView } from '../ports/merchant.port.js';
import { IdPrefix, newId } from '../ids.js';
import { requiredId } from '../input.js';
import { RecommendationEntity } from './recommendation.entity.js';
import { signRecommendationToken } from '../checkout-attribution/recommendation-token.js';

export interface RecommendSpec {
  sessionId: string;
  offerId: string;
}

const codec: IdempotencyCodec<RecommendationEntity> = {
  toStored: (r) => ({ id: r.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(RecommendationEntity, { id: stored.id }),
};

export const offerNotFound = (id: string) => notFound(ErrorCode.OFFER_NOT_FOUND, `Offer not found: ${id}.`);
export const offerInactive = (id: string) =>
  new HandoffError(ErrorCode.OFFER_NOT_FOUND, `Offer ${id} is no longer active.`, { reason: 'offer_inactive' });
export const merchantNotFound = (id: string) => notFound(ErrorCode.MERCHANT_NOT_FOUND, `Merchant not found: ${id}.`);
export const merchantInactive = (id: string) =>
  new HandoffError(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${id} is not active.`, { reason: 'merchant_suspended' });

/** The offer as it is now: it exists, is active, and its merchant is active. */
export async function loadSellableOffer(merchants: MerchantDirectory, offerId: string): Promise<OfferView> {
  const offer = await merchants.offer(offerId);
  if (!offer) throw offerNotFound(offerId);
  if (!offer.active) throw offerInactive(offerId);
  if (offer.merchant.status !== 'ACTIVE') throw merchantInactive(offer.merchant.id);
  return offer;
}

export class RecommendationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantDirectory,
    /** Signs each recommendation's attribution token (the same signer and format as agent checkout's codes). */
    private readonly signer: AttributionSigner,
  ) {}

  /** SESSION_NOT_FOUND, SESSION_EXPIRED, OFFER_NOT_FOUND (missing or inactive), MERCHANT_NOT_FOUND. */
  async recommend(principal: Principal & { kind: 'AGENT' }, input: RecommendSpec, key: string | undefined): Promise<RecommendationEntity> {
    const sessionId = requiredId(input?.sessionId, 'sessionId');
    const offerId = requiredId(input?.offerId, 'offerId');
    return this.idempotency.run(
      // One write (after reads that hold no lock, as in a transaction at READ COMMITTED).
      { principal, key, operation: 'recommend', input: { sessionId, offerId }, singleWrite: true },
      async (manager) => {
        // Plain SQL (prepared, outside a key's transaction): the four columns used, not the entity.
        const [session] = await hotQuery<{ id: string; status: AgentSessionStatus; expiresAt: Date; createdAt: Date }>(
          manager,
          'recommend-session',
          `SELECT id, status, expires_at AS "expiresAt", created_at AS "createdAt" FROM ${table('agent_sessions')} WHERE id = $1 AND agent_id = $2`,
          [sessionId, principal.agentId],
        );
        if (!session) throw sessionNotFound(sessionId);
        if (isAgentSessionExpired(session)) throw sessionExpired(sessionId);
        const offer = await loadSellableOffer(this.merchants, offerId);
        const id = newId(IdPrefix.recommendation);
        const createdAt = new Date();
        const attributionToken = signRecommendationToken(this.signer, {
          recommendationId: id, session, offerId: offer.id, merchantId: offer.merchant.id, agentId: principal.agentId, price: offer.price, issuedAt: createdAt,
        });
        const rec = manager.create(RecommendationEntity, {
          id,
          agentSessionId: session.id,
          agentId: principal.agentId,
          offerId: offer.id,
          merchantId: offer.merchant.id,
          createdAt,
          attributionToken,
        });
        // The row and its `recommendation.created` (the ledger's BI facts: bi-facts.contract.ts) in one statement.
        const payload: RecommendationCreatedPayload = {
          recommendation: {
            id, agentSessionId: session.id, agentId: principal.agentId, offerId: offer.id, merchantId: offer.merchant.id,
            currency: offer.price.currency, createdAt: createdAt.toISOString(), agentSessionStartedAt: session.createdAt.toISOString(),
          },
        };
        await changeWithEvent(
          manager,
          SCHEMA_NAME,
          {
            sql: `INSERT INTO ${table('recommendations')} (id, agent_session_id, agent_id, offer_id, merchant_id, created_at, attribution_token)
                  VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            params: [rec.id, rec.agentSessionId, rec.agentId, rec.offerId, rec.merchantId, rec.createdAt, rec.attributionToken],
          },
          { topic: RECOMMENDATION_CREATED_TOPIC, aggregateId: id, payload: payload as unknown as Record<string, unknown> },
        );
        return rec;
      },
      codec,
    );
  }

  async findVisible(principal: Principal, id: string): Promise<RecommendationEntity | null> {
    const qb = this.dataSource.getRepository(RecommendationEntity).createQueryBuilder('r').where('r.id = :id', { id });
    return scopeRecommendations(qb, 'r', principal) ? qb.getOne() : null;
  }

  /** The recommendations of each session the caller may see, oldest first (a DataLoader batch). */
  async listForSessions(principal: Principal, sessionIds: readonly string[]): Promise<RecommendationEntity[][]> {
    const qb = this.dataSource
      .getRepository(RecommendationEntity)
      .createQueryBuilder('r')
      .where('r.agentSessionId = ANY(:ids)', { ids: [...sessionIds] })
      .orderBy('r.id', 'ASC');
    const rows = scopeRecommendations(qb, 'r', principal) ? await qb.getMany() : [];
    return sessionIds.map((id) => rows.filter((r) => r.agentSessionId === id));
  }
}
