// Which billing subscriptions a principal may read (every read goes through here), as for the
// payment intents that pay them (payment-intent.access.ts): admin and Handoff's services all; a
// merchant its own; the hosted page its session's; an agent those of the checkouts it created
// (the subscription keeps its checkout intent's metadata, aap_agent_id included). Anonymous →
// UNAUTHENTICATED.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { SelectQueryBuilder } from 'typeorm';
import { AGENT_METADATA_KEY } from '../payment-intent/payment-intent.access.js';

export function scopeBillingSubscriptions<T extends object>(qb: SelectQueryBuilder<T>, alias: string, principal: Principal): void {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return;
    case 'MERCHANT':
      qb.andWhere(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: p.merchantId });
      return;
    case 'CLIENT':
      // A standalone intent's client secret sees no subscription; a session's sees its own.
      if (p.paymentIntentId || !p.checkoutSessionId) qb.andWhere('1 = 0');
      else qb.andWhere(`${alias}.checkoutSessionId = :scopeSessionId`, { scopeSessionId: p.checkoutSessionId });
      return;
    case 'AGENT':
      qb.andWhere(`${alias}.metadata @> CAST(:scopeAgentMetadata AS jsonb)`, { scopeAgentMetadata: JSON.stringify({ [AGENT_METADATA_KEY]: p.agentId }) });
      return;
  }
}
