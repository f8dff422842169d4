// Offer search (issue 21 item 5): PostgreSQL full-text search over the stored `search_vector`
// (name weight A, provider B, description C; GIN-indexed: migrations 1795611000000 and
// 1795611100000), parsed with
// websearch_to_tsquery (quoted phrases, OR, -exclusions; never a syntax error), ranked by
// ts_rank_cd, most relevant first, ties by id. The caller's scope applies as to every offer read
// (scopeOffers: an agent sees active offers of active merchants, a merchant its own). Keyset pages
// over (rank, id): the cursor carries both, so a page never repeats or skips a row.
import { badUserInput, decodeCursor, emptyPage, pageSize, toPage, type Page, type PageArgs, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { scopeOffers } from './offer.access.js';
import { OfferEntity } from './offer.entity.js';

export const MAX_QUERY_LENGTH = 200;

export interface OfferSearchArgs extends PageArgs {
  query: string;
  merchantId?: string | null;
}

/** The trimmed query, BAD_USER_INPUT when empty or too long. */
export function searchQueryOf(raw: unknown): string {
  const q = typeof raw === 'string' ? raw.trim() : '';
  if (!q || q.length > MAX_QUERY_LENGTH || /[\u0000-\u001f\u007f]/.test(q)) throw badUserInput('query', `must be 1 to ${MAX_QUERY_LENGTH} printable characters.`);
  return q;
}

function afterOf(cursor: string | null | undefined): { rank: number; id: string } | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const m = /^([0-9.eE+-]{1,40}):([A-Za-z0-9_]{1,100})$/.exec(key);
  const rank = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(rank)) throw badUserInput('after', 'is not a valid cursor');
  return { rank, id: m[2]! };
}

export async function searchOffers(dataSource: DataSource, principal: Principal, args: OfferSearchArgs): Promise<Page<OfferEntity>> {
  const query = searchQueryOf(args.query);
  const limit = pageSize(args.first);
  const after = afterOf(args.after);
  const qb = dataSource
    .getRepository(OfferEntity)
    .createQueryBuilder('o')
    .where(`o.search_vector @@ websearch_to_tsquery('english', :searchQuery)`, { searchQuery: query });
  if (args.merchantId) qb.andWhere('o.merchantId = :merchantId', { merchantId: args.merchantId });
  if (!scopeOffers(qb, 'o', principal, 'query')) return emptyPage();
  const rank = `ts_rank_cd(o.search_vector, websearch_to_tsquery('english', :searchQuery))`;
  const paged = qb.clone().addSelect(rank, 'search_rank').orderBy('search_rank', 'DESC').addOrderBy('o.id', 'ASC').limit(limit + 1);
  if (after) paged.andWhere(`(${rank} < :afterRank::real OR (${rank} = :afterRank::real AND o.id > :afterId))`, { afterRank: after.rank, afterId: after.id });
  const [{ entities, raw }, totalCount] = await Promise.all([paged.getRawAndEntities(), qb.clone().getCount()]);
  const ranks = new Map(raw.map((r: Record<string, unknown>) => [String(r.o_id), Number(r.search_rank)]));
  return toPage(entities, limit, totalCount, (o) => `${ranks.get(o.id) ?? 0}:${o.id}`);
}
