// The merchant's orders (seed 003 §8's order and receipt, read back): one by id, or a page of
// them, newest last (ids are ULIDs). A merchant key sees its own orders only (another merchant's
// order is ORDER_NOT_FOUND, a list of another merchant's is empty); an admin sees any, or one
// merchant's with `merchantId`.
import { emptyPage, notFound, optionalId, pageOf, requireKind, ErrorCode, type Page, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { requiredId } from '../input.js';
import { OrderEntity } from './order.entity.js';

export const orderNotFound = (id: string) => notFound(ErrorCode.ORDER_NOT_FOUND, `Order not found: ${id}.`);

export interface OrderListArgs {
  merchantId?: string | null;
  first?: number | null;
  after?: string | null;
}

export class OrderReads {
  constructor(private readonly dataSource: DataSource) {}

  async order(principal: Principal, id: string): Promise<OrderEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const orderId = requiredId(id, 'id');
    const qb = this.dataSource.getRepository(OrderEntity).createQueryBuilder('o').where('o.id = :id', { id: orderId });
    if (p.kind === 'MERCHANT') qb.andWhere('o.merchant_id = :merchantId', { merchantId: p.merchantId });
    const order = await qb.getOne();
    if (!order) throw orderNotFound(orderId);
    return order;
  }

  async list(principal: Principal, args: OrderListArgs): Promise<Page<OrderEntity>> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const merchantId = optionalId(args.merchantId ?? undefined, 'merchantId');
    const qb = this.dataSource.getRepository(OrderEntity).createQueryBuilder('o');
    if (p.kind === 'MERCHANT') {
      // Another merchant's orders are not the caller's to see: none.
      if (merchantId && merchantId !== p.merchantId) return emptyPage();
      qb.where('o.merchant_id = :merchantId', { merchantId: p.merchantId });
    } else if (merchantId) {
      qb.where('o.merchant_id = :merchantId', { merchantId });
    }
    return pageOf(qb, 'o', { first: args.first, after: args.after });
  }
}
