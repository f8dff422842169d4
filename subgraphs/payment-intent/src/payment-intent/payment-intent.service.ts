// Reads of payment intents, always through the caller's tenancy scope (payment-intent.access.ts).
import type { Page, Principal } from '@handoff/shared';
import { listPaymentIntents, type PaymentIntentFilterSpec } from './payment-intent.list.js';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { PaymentEventEntity } from './payment-event.entity.js';
import { findVisibleForCheckoutSession, findVisiblePaymentIntent } from './payment-intent.access.js';
import type { PaymentIntentEntity } from './payment-intent.entity.js';

export class PaymentIntentService {
  private readonly manager: EntityManager;
  private readonly events: Repository<PaymentEventEntity>;

  constructor(dataSource: DataSource) {
    this.manager = dataSource.manager;
    this.events = dataSource.getRepository(PaymentEventEntity);
  }

  /** The timeline of an intent the caller has already been allowed to see. */
  timeline(paymentIntentId: string): Promise<PaymentEventEntity[]> {
    return this.events.find({ where: { paymentIntentId }, order: { id: 'ASC' } });
  }

  /** The intent, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<PaymentIntentEntity | null> {
    return findVisiblePaymentIntent(this.manager, principal, id);
  }

  /** The payments list: a page of the intents the principal may see that match `filter` (payment-intent.list.ts). */
  list(principal: Principal, filter: PaymentIntentFilterSpec | null, first: number | null | undefined, after: string | null | undefined): Promise<Page<PaymentIntentEntity>> {
    return listPaymentIntents(this.manager, principal, filter, first, after);
  }

  /** The latest intent paying a checkout session, if the principal may see it. */
  async findVisibleForCheckoutSession(principal: Principal, checkoutSessionId: string): Promise<PaymentIntentEntity | null> {
    return findVisibleForCheckoutSession(this.manager, principal, checkoutSessionId);
  }
}
