// Which payment intents a principal may read. Every read of payment intents goes through here,
// and so does every command: it acts only on an intent its caller may see.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { PaymentIntentEntity } from './payment-intent.entity.js';

/**
 * The metadata key naming the agent whose checkout an intent pays. Written only by
 * checkout-session's agent checkout, from server-side facts (merchants cannot set `aap_*` keys),
 * so it is this subgraph's own record of the session's agent: no cross-subgraph read needed.
 */
export const AGENT_METADATA_KEY = 'aap_agent_id';

/**
 * Narrows `qb` (alias `alias`) to the intents `principal` may see: admin and Handoff's services
 * all; a merchant its own; the hosted page its session's (a standalone intent's client that intent); an agent those paying the checkout
 * sessions it created (read only: no command takes an AGENT). Anonymous → UNAUTHENTICATED.
 */
export function scopePaymentIntents<T extends object>(qb: SelectQueryBuilder<T>, alias: string, principal: Principal): void {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return;
    case 'MERCHANT':
      qb.andWhere(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: p.merchantId });
      return;
    case 'CLIENT':
      // A standalone intent's client secret: that intent only (never one paying a session).
      if (p.paymentIntentId) qb.andWhere(`${alias}.id = :scopeIntentId AND ${alias}.checkoutSessionId IS NULL`, { scopeIntentId: p.paymentIntentId });
      else qb.andWhere(`${alias}.checkoutSessionId = :scopeSessionId`, { scopeSessionId: p.checkoutSessionId });
      return;
    case 'AGENT':
      qb.andWhere(`${alias}.metadata @> CAST(:scopeAgentMetadata AS jsonb)`, {
        scopeAgentMetadata: JSON.stringify({ [AGENT_METADATA_KEY]: p.agentId }),
      });
      return;
  }
}

/** The intent `id`, or null when it does not exist or `principal` may not see it. */
export async function findVisiblePaymentIntent(manager: EntityManager, principal: Principal, id: string): Promise<PaymentIntentEntity | null> {
  const qb = manager.createQueryBuilder(PaymentIntentEntity, 'pi').where('pi.id = :id', { id });
  scopePaymentIntents(qb, 'pi', principal);
  return qb.getOne();
}

/** The latest intent paying `checkoutSessionId`, or null when there is none `principal` may see. */
export async function findVisibleForCheckoutSession(
  manager: EntityManager,
  principal: Principal,
  checkoutSessionId: string,
): Promise<PaymentIntentEntity | null> {
  const qb = manager.createQueryBuilder(PaymentIntentEntity, 'pi').where('pi.checkoutSessionId = :checkoutSessionId', { checkoutSessionId });
  // The hosted page's scope pins its own session: another session's id finds nothing.
  scopePaymentIntents(qb, 'pi', principal);
  return qb.orderBy('pi.createdAt', 'DESC').addOrderBy('pi.id', 'DESC').limit(1).getOne();
}
