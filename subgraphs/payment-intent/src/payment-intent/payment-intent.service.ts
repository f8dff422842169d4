// Reads of payment intents, always through the caller's tenancy scope.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import { JsonContains, type DataSource, type FindOptionsWhere, type Repository } from 'typeorm';
import { PaymentEventEntity } from './payment-event.entity.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';

type Scope = FindOptionsWhere<PaymentIntentEntity>;

/**
 * The metadata key naming the agent whose checkout an intent pays. Written only by
 * checkout-session's agent checkout, from server-side facts (merchants cannot set `aap_*` keys),
 * so it is this subgraph's own record of the session's agent: no cross-subgraph read needed.
 */
export const AGENT_METADATA_KEY = 'aap_agent_id';

/**
 * The intents a principal may see, as a where clause, or null for none: admin and Handoff's
 * services all; a merchant its own; the hosted page its session's; an agent those paying the
 * checkout sessions it created (read only: no command takes an AGENT). Anonymous → UNAUTHENTICATED.
 */
export function paymentIntentScope(principal: Principal): Scope | null {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return {};
    case 'MERCHANT':
      return { merchantId: p.merchantId };
    case 'CLIENT':
      return { checkoutSessionId: p.checkoutSessionId };
    case 'AGENT':
      return { metadata: JsonContains({ [AGENT_METADATA_KEY]: p.agentId }) };
  }
}

export class PaymentIntentService {
  private readonly intents: Repository<PaymentIntentEntity>;
  private readonly events: Repository<PaymentEventEntity>;

  constructor(dataSource: DataSource) {
    this.intents = dataSource.getRepository(PaymentIntentEntity);
    this.events = dataSource.getRepository(PaymentEventEntity);
  }

  /** The timeline of an intent the caller has already been allowed to see. */
  timeline(paymentIntentId: string): Promise<PaymentEventEntity[]> {
    return this.events.find({ where: { paymentIntentId }, order: { id: 'ASC' } });
  }

  /** The intent, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<PaymentIntentEntity | null> {
    const scope = paymentIntentScope(principal);
    if (!scope) return null;
    return this.intents.findOneBy({ ...scope, id });
  }

  /** The latest intent paying a checkout session, if the principal may see it. */
  async findVisibleForCheckoutSession(principal: Principal, checkoutSessionId: string): Promise<PaymentIntentEntity | null> {
    const scope = paymentIntentScope(principal);
    if (!scope) return null;
    // A scope that pins a session (the hosted page's) must be the same one, not overwritten by it.
    if (scope.checkoutSessionId !== undefined && scope.checkoutSessionId !== checkoutSessionId) return null;
    return this.intents.findOne({
      where: { ...scope, checkoutSessionId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }
}
