// Reads of billing subscriptions and their invoices, through the caller's scope
// (billing-subscription.access.ts). The commands that change them (start at checkout:
// billing-checkout.ts; invoices and period moves for renewals: billing-invoices.ts) are
// separate modules; docs/recurring.md lists them for the renewal and lifecycle work.
import { badUserInput, ErrorCode, HandoffError, pageOf, type Page, type PageArgs, type Principal } from '@handoff/shared';
import { In, type DataSource } from 'typeorm';
import { scopeBillingSubscriptions } from './billing-subscription.access.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { BillingSubscriptionStatus } from './billing-subscription.states.js';

export interface BillingSubscriptionListArgs extends PageArgs {
  status?: BillingSubscriptionStatus | null;
  /** An admin's filter; a merchant's own id or nothing (another merchant's: an empty page). */
  merchantId?: string | null;
}

export const billingSubscriptionNotFound = (id: string) =>
  new HandoffError(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND, `No billing subscription ${id.slice(0, 80)} that you may see.`);

const ID = /^bsub_[0-9a-f]{24}$/;

export class BillingSubscriptionService {
  constructor(private readonly dataSource: DataSource) {}

  /** The subscription, or null when it does not exist or the principal may not see it (a malformed id finds nothing). */
  async findVisible(principal: Principal, id: string): Promise<BillingSubscriptionEntity | null> {
    if (typeof id !== 'string' || !ID.test(id)) return null;
    const qb = this.dataSource.getRepository(BillingSubscriptionEntity).createQueryBuilder('s').where('s.id = :id', { id });
    scopeBillingSubscriptions(qb, 's', principal);
    return qb.getOne();
  }

  /** As findVisible, BILLING_SUBSCRIPTION_NOT_FOUND instead of null (REST). */
  async getVisible(principal: Principal, id: string): Promise<BillingSubscriptionEntity> {
    const s = await this.findVisible(principal, id);
    if (!s) throw billingSubscriptionNotFound(String(id ?? ''));
    return s;
  }

  /** The subscription a checkout session started, if the principal may see it. */
  async findVisibleForCheckoutSession(principal: Principal, checkoutSessionId: string): Promise<BillingSubscriptionEntity | null> {
    const qb = this.dataSource.getRepository(BillingSubscriptionEntity).createQueryBuilder('s').where('s.checkoutSessionId = :checkoutSessionId', { checkoutSessionId });
    scopeBillingSubscriptions(qb, 's', principal);
    return qb.getOne();
  }

  /** The caller's subscriptions by id (keyset pages), optionally one status. */
  async list(principal: Principal, args: BillingSubscriptionListArgs): Promise<Page<BillingSubscriptionEntity>> {
    if (args.status !== null && args.status !== undefined && !Object.values(BillingSubscriptionStatus).includes(args.status)) {
      throw badUserInput('status', `must be one of ${Object.values(BillingSubscriptionStatus).join(', ')}.`);
    }
    const qb = this.dataSource.getRepository(BillingSubscriptionEntity).createQueryBuilder('s');
    scopeBillingSubscriptions(qb, 's', principal);
    if (args.merchantId) qb.andWhere('s.merchantId = :merchantId', { merchantId: args.merchantId });
    if (args.status) qb.andWhere('s.status = :status', { status: args.status });
    return pageOf(qb, 's', args);
  }

  /** Each subscription's items, in line order (one query for a batch). */
  async itemsOf(ids: readonly string[]): Promise<BillingSubscriptionItemEntity[][]> {
    const rows = ids.length ? await this.dataSource.getRepository(BillingSubscriptionItemEntity).find({ where: { subscriptionId: In([...ids]) }, order: { position: 'ASC' } }) : [];
    return ids.map((id) => rows.filter((r) => r.subscriptionId === id));
  }

  /** Each subscription's invoices, by period (one query for a batch). */
  async invoicesOf(ids: readonly string[]): Promise<BillingInvoiceEntity[][]> {
    const rows = ids.length ? await this.dataSource.getRepository(BillingInvoiceEntity).find({ where: { subscriptionId: In([...ids]) }, order: { period: 'ASC' } }) : [];
    return ids.map((id) => rows.filter((r) => r.subscriptionId === id));
  }
}
