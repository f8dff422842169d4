// Relay-style connections: `(first, after)` → { edges { cursor node } pageInfo totalCount }.
// Cursors are opaque base64url of the sort key; services page by keyset, never by OFFSET.
import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badUserInput } from '../errors/codes.js';

@ObjectType('PageInfo')
@Directive('@shareable')
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badUserInput('after', 'is not a valid cursor');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** Builds a page from `limit + 1` rows fetched after the cursor, ordered by `keyOf`. */
export function toPage<T>(rows: T[], limit: number, totalCount: number, keyOf: (row: T) => string): Page<T> {
  const visible = rows.slice(0, limit);
  const edges = visible.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node class. */
export function Connection<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor: string;
    @Field(() => node) node: T;
  }
  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge]) edges: Edge[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int) totalCount: number;
  }
  return ConnectionType as unknown as ClassType<Page<T>>;
}
