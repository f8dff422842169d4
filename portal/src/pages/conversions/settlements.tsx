// Settlement batches and their statements. A settlement run (daily) puts the merchant's settled
// conversions in one batch per currency and day: the merchant's invoice (OPEN until paid). Its
// statement is the batch's lines (each conversion's own amount in it: a clawback after an earlier
// settlement is a negative adjustment), paged with their own cursors; both export as CSV.
import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { Link } from 'react-router';
import { PortalSettlementBatchesDocument, PortalSettlementStatementDocument, type SettlementBatchRowFragment, type StatementLineFragment } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { formatDateTime } from '../payments/payment-logic';
import { batchesCsv, statementCsv, statusLabel } from './conversion-logic';
import { StatusBadge } from './conversions-table';
import { exportBatches, exportStatement } from './export';
import { ExportStatus, useCsvExport } from './use-export';

const PAGE_SIZE = 20;
const LINES_PAGE = 25;

function StatementLines({ lines, caption }: { lines: readonly StatementLineFragment[]; caption: string }) {
  return (
    <table className="table conversions-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Conversion</th>
          <th scope="col">Line</th>
          <th scope="col" className="num">Amount</th>
          <th scope="col">Status now</th>
          <th scope="col" className="num">Value</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {lines.map(({ kind, amount, conversion: c }) => (
          <tr key={c.id} data-conversion-id={c.id} data-line-kind={kind}>
            <td>
              <Link to={`/conversions/${encodeURIComponent(c.id)}`}>
                <code>{c.id}</code>
              </Link>
              {c.orderReference ? <div className="muted">{c.orderReference}</div> : null}
            </td>
            <td>{statusLabel(kind)}</td>
            <td className="num">{formatMoney(amount)}</td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td className="num">{formatMoney(c.transactionValue)}</td>
            <td>
              <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Statement({ batch }: { batch: SettlementBatchRowFragment }) {
  const pages = useCursorPages();
  const client = useClient();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalSettlementStatementDocument,
    variables: { id: batch.id, first: LINES_PAGE, after: pages.after },
  });
  const [exportState, startExport] = useCsvExport();
  const found = data?.settlementBatch;
  const lines = found?.lines;
  const headingId = `statement-${batch.id}`;
  return (
    <section id={`statement-panel-${batch.id}`} aria-labelledby={headingId} className="statement" data-statement-id={batch.id}>
      <div className="page-header">
        <h3 id={headingId}>
          Statement {batch.id} · {batch.period}
        </h3>
        <button
          type="button"
          className="button button-secondary"
          disabled={exportState.status === 'busy'}
          aria-describedby={`${headingId}-export`}
          onClick={() =>
            void startExport(async () => {
              const rows = await exportStatement(client, batch.id);
              return { filename: `statement-${batch.period}-${batch.id}.csv`, csv: statementCsv(batch, rows), rows: rows.length };
            })
          }
        >
          Export statement (CSV)
        </button>
      </div>
      <ExportStatus state={exportState} id={`${headingId}-export`} />
      <dl className="tiles">
        <div className="tile"><dt>Total</dt><dd>{formatMoney(batch.total)}</dd></div>
        <div className="tile"><dt>Status</dt><dd>{statusLabel(batch.status)}</dd></div>
        <div className="tile"><dt>Lines</dt><dd>{batch.lineCount.toLocaleString()}</dd></div>
        <div className="tile"><dt>Paid</dt><dd>{batch.paidAt ? formatDateTime(batch.paidAt) : 'Not yet'}</dd></div>
      </dl>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!data && fetching ? <Loading label="Loading the statement…" /> : null}
      {data && !found ? <Empty title="This batch is no longer listed">Close it and pick it again from the list.</Empty> : null}
      {lines && lines.edges.length === 0 ? <Empty title="No lines on this statement" /> : null}
      {lines && lines.edges.length > 0 ? <StatementLines lines={lines.edges.map((e) => e.node)} caption={`Lines of ${batch.id}: each conversion's amount in this batch`} /> : null}
      {lines ? <Pagination pages={pages} pageInfo={lines.pageInfo} totalCount={lines.totalCount} label="Statement lines" disabled={fetching} /> : null}
    </section>
  );
}

export function SettlementStatements() {
  const pages = useCursorPages();
  const client = useClient();
  const [open, setOpen] = useState<string>();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalSettlementBatchesDocument,
    variables: { first: PAGE_SIZE, after: pages.after },
    requestPolicy: 'cache-and-network',
  });
  const [exportState, startExport] = useCsvExport();
  const list = data?.settlementBatches;
  const opened = list?.edges.find((e) => e.node.id === open)?.node;
  return (
    <section aria-labelledby="settlements" className="panel">
      <div className="page-header">
        <h2 id="settlements">Settlement statements</h2>
        <button
          type="button"
          className="button button-secondary"
          disabled={exportState.status === 'busy' || !list?.totalCount}
          aria-describedby="settlements-export-status"
          onClick={() =>
            void startExport(async () => {
              const rows = await exportBatches(client);
              return { filename: 'settlement-batches.csv', csv: batchesCsv(rows), rows: rows.length };
            })
          }
        >
          Export payouts (CSV)
        </button>
      </div>
      <ExportStatus state={exportState} id="settlements-export-status" />
      {error && !list ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!list && fetching ? <Loading label="Loading settlement batches…" /> : null}
      {list && list.edges.length === 0 ? (
        <Empty title="Nothing settled yet">Each day’s settlement run gathers validated conversions into a statement; it appears here then.</Empty>
      ) : null}
      {list && list.edges.length > 0 ? (
        <table className="table conversions-table">
          <caption className="visually-hidden">Settlement batches</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col">Batch</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Conversions</th>
              <th scope="col" className="num">Total</th>
              <th scope="col">Statement</th>
            </tr>
          </thead>
          <tbody>
            {list.edges.map(({ node: b }) => (
              <tr key={b.id} data-batch-id={b.id}>
                <td>{b.period}</td>
                <td>
                  <code>{b.id}</code>
                </td>
                <td>{statusLabel(b.status)}</td>
                <td className="num">{b.lineCount.toLocaleString()}</td>
                <td className="num">{formatMoney(b.total)}</td>
                <td>
                  <button type="button" className="button button-secondary" aria-expanded={open === b.id} aria-controls={open === b.id ? `statement-panel-${b.id}` : undefined} onClick={() => setOpen(open === b.id ? undefined : b.id)}>
                    {open === b.id ? 'Hide statement' : 'View statement'}
                    <span className="visually-hidden"> for {b.period}, {formatMoney(b.total)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {list ? <Pagination pages={pages} pageInfo={list.pageInfo} totalCount={list.totalCount} label="Settlement batches" disabled={fetching} /> : null}
      {opened ? <Statement key={opened.id} batch={opened} /> : null}
    </section>
  );
}
