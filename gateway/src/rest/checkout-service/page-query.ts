// Seed 003's cursor pagination on a REST list: `?limit=` (1 to 100, 20 by default) and
// `?cursor=` (a list's `next_cursor`), answered as `{ data, has_more, next_cursor }` from a
// GraphQL connection.
import { sendInputProblem } from '../rest-http.js';
import type { Call } from './route-kit.js';

export const MAX_LIMIT = 100;
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

export interface PageQuery {
  first: number;
  after: string | null;
}

/** The page asked for, or undefined once a 400 naming `limit` or `cursor` is sent. */
export function pageQuery(call: Call): PageQuery | undefined {
  const { limit, cursor } = call.req.query;
  let first = 20;
  if (limit !== undefined) {
    if (typeof limit !== 'string' || !/^[0-9]{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      return void sendInputProblem(call.res, { field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}.` });
    }
    first = Number(limit);
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || !CURSOR.test(cursor))) {
    return void sendInputProblem(call.res, { field: 'cursor', message: "must be a list's next_cursor." });
  }
  return { first, after: (cursor as string | undefined) ?? null };
}

export interface ConnectionJson<N> {
  edges: Array<{ node: N }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const listOf = <N, T>(c: ConnectionJson<N>, map: (n: N) => T) => ({
  data: c.edges.map((e) => map(e.node)),
  has_more: c.pageInfo.hasNextPage,
  next_cursor: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null,
});
