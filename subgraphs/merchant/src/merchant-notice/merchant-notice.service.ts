// Notices to a merchant: recorded inside the transaction of what caused them, listed newest
// first to an admin or the merchant itself.
import { badUserInput, decodeCursor, pageSize, toPage, type Page, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { MerchantNoticeEntity, type MerchantNoticeKind } from './merchant-notice.entity.js';

export interface NoticeSpec {
  merchantId: string;
  kind: MerchantNoticeKind;
  subjectId: string | null;
  message: string;
}

export async function recordNotice(manager: EntityManager, spec: NoticeSpec): Promise<MerchantNoticeEntity> {
  const notice = manager.create(MerchantNoticeEntity, { id: `mn_${ulid()}`, ...spec, createdAt: new Date() });
  await manager.insert(MerchantNoticeEntity, notice);
  return notice;
}

/** The merchant a read is about: a merchant key's own; an admin must name one. */
export function merchantOf(principal: Principal & { kind: 'ADMIN' | 'MERCHANT' }, merchantId: string | null | undefined): string {
  if (principal.kind === 'MERCHANT') return principal.merchantId;
  if (!merchantId) throw badUserInput('merchantId', 'is required for an admin.');
  return merchantId;
}

export class MerchantNoticeService {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first. A merchant key naming another merchant sees nothing. */
  async list(
    principal: Principal & { kind: 'ADMIN' | 'MERCHANT' },
    merchantId: string | null | undefined,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<MerchantNoticeEntity>> {
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after);
    const own = merchantOf(principal, merchantId);
    if (principal.kind === 'MERCHANT' && merchantId && merchantId !== own) return toPage<MerchantNoticeEntity>([], limit, 0, (n) => n.id);
    const qb = this.dataSource.getRepository(MerchantNoticeEntity).createQueryBuilder('n').where('n.merchantId = :own', { own });
    const paged = qb.clone().orderBy('n.id', 'DESC').limit(limit + 1);
    if (after !== undefined) paged.andWhere('n.id < :after', { after });
    const [rows, total] = await Promise.all([paged.getMany(), qb.getCount()]);
    return toPage(rows, limit, total, (n) => n.id);
  }
}
