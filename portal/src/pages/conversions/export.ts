// CSV exports, made in the browser from the graph: the same queries the pages show, paged with
// the graph's cursors (100 a request, its largest page), sent like every portal request (the
// session cookie and its X-CSRF-Token, tenant-scoped by the gateway). Nothing new is served, so
// there is no download URL to forge or leak. An export is all or nothing: above MAX_EXPORT_ROWS
// it is refused before the first page (narrow the dates), and a failed page fails the export.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { AnyVariables, Client } from 'urql';
import {
  PortalConversionsDocument,
  PortalSettlementBatchesDocument,
  PortalSettlementStatementDocument,
  type ConversionFilter,
  type ConversionRowFragment,
  type SettlementBatchRowFragment,
  type StatementLineFragment,
} from '../../generated/graphql';

export const EXPORT_PAGE = 100;
export const MAX_EXPORT_ROWS = 10_000;

export interface PageOf<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

export class ExportError extends Error {}

/** Every page from the first, following endCursor; refused when the first page's totalCount is above `max`. */
export async function collectPages<T>(fetchPage: (after: string | undefined) => Promise<PageOf<T>>, max = MAX_EXPORT_ROWS): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    if (page.totalCount > max) {
      throw new ExportError(`${page.totalCount.toLocaleString()} rows is more than one file holds (${max.toLocaleString()}): narrow the dates and export again.`);
    }
    all.push(...page.nodes);
    if (!page.hasNextPage) return all;
    if (!page.endCursor || page.endCursor === after) throw new ExportError('The list stopped paging: try the export again.');
    after = page.endCursor;
  }
}

type Connection<T> = { edges: Array<{ node: T }>; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };

const pageOf = <T>(c: Connection<T>): PageOf<T> => ({ nodes: c.edges.map((e) => e.node), hasNextPage: c.pageInfo.hasNextPage, endCursor: c.pageInfo.endCursor, totalCount: c.totalCount });

async function run<D, V extends AnyVariables>(client: Client, doc: TypedDocumentNode<D, V>, variables: V): Promise<D> {
  const result = await client.query(doc, variables, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) throw new ExportError(result.error.graphQLErrors[0]?.message ?? 'The server could not be reached: try the export again.');
  if (!result.data) throw new ExportError('The server sent nothing: try the export again.');
  return result.data;
}

export function exportConversions(client: Client, filter: ConversionFilter): Promise<ConversionRowFragment[]> {
  return collectPages(async (after) => pageOf((await run(client, PortalConversionsDocument, { first: EXPORT_PAGE, after, filter, order: 'CREATED_DESC' })).conversions));
}

export function exportBatches(client: Client): Promise<SettlementBatchRowFragment[]> {
  return collectPages(async (after) => pageOf((await run(client, PortalSettlementBatchesDocument, { first: EXPORT_PAGE, after })).settlementBatches));
}

export function exportStatement(client: Client, batchId: string): Promise<StatementLineFragment[]> {
  return collectPages(async (after) => {
    const { settlementBatch } = await run(client, PortalSettlementStatementDocument, { id: batchId, first: EXPORT_PAGE, after });
    if (!settlementBatch) throw new ExportError('This settlement batch is no longer there.');
    return pageOf(settlementBatch.lines);
  });
}
