// Keyset pages over ULID ids (which sort by creation time) with TypeORM query builders: the
// one way a subgraph lists rows (never OFFSET).
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, pageSize, toPage, type Page } from '../graphql/pagination.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** One page of `qb` (already filtered by principal) ordered by `<alias>.id`, plus the total count. */
export async function pageOf<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  args: PageArgs,
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  const after = decodeCursor(args.after);
  const paged = qb.clone().orderBy(`${alias}.id`, 'ASC').limit(limit + 1);
  if (after !== undefined) paged.andWhere(`${alias}.id > :pageAfter`, { pageAfter: after });
  const [rows, totalCount] = await Promise.all([paged.getMany(), qb.clone().getCount()]);
  return toPage(rows, limit, totalCount, (row) => row.id);
}

export const emptyPage = <T>(): Page<T> => ({ edges: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } });

export function mapPage<T, U>(page: Page<T>, fn: (node: T) => U): Page<U> {
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: fn(e.node) })) };
}

/** Rows in the order of `ids`, null where none was found (what a DataLoader batch returns). */
export function alignById<T extends { id: string }>(ids: readonly string[], rows: T[]): Array<T | null> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}
