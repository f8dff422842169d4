// Conversions and payouts: the merchant's conversions (filters by status and creation date, the
// graph's cursors, read again as conversionUpdated says one changed), each one's detail on
// /conversions/:id, the settlement batches (the merchant's invoices) with their statements, and
// CSV exports of all three (export.ts: made in the browser from the same tenant-scoped queries).
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { PortalConversionChangedDocument, PortalConversionsDocument, type ConversionFilter, type ConversionStatus } from '../../generated/graphql';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { useConnectionState, useLiveFeed } from '../live/use-live-feed';
import { CONVERSION_STATUSES, conversionsCsv, conversionsFilename, filterFromSearch, filterToSearch, statusLabel, toConversionFilter, type FilterInput } from './conversion-logic';
import { ConversionRows } from './conversions-table';
import { exportConversions } from './export';
import { SettlementStatements } from './settlements';
import { ExportStatus, useCsvExport } from './use-export';
import './conversions.css';

const PAGE_SIZE = 25;
const CONNECTION_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' } as const;

/** A counter that moves when a conversion changes, at most once a second (a burst is one read). */
function useConversionChanges(): number {
  const [changes, setChanges] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  useLiveFeed(PortalConversionChangedDocument, () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setChanges((n) => n + 1);
    }, 1000);
  });
  return changes;
}

function Filters({ applied, onApply }: { applied: FilterInput; onApply(input: FilterInput): void }) {
  const [draft, setDraft] = useState<FilterInput>(applied);
  const [problem, setProblem] = useState<string>();
  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = toConversionFilter(draft);
    if (!parsed.ok) return setProblem(parsed.message);
    setProblem(undefined);
    onApply(draft);
  }
  return (
    <form className="range conversions-filters" aria-label="Filter conversions" onSubmit={submit}>
      <label htmlFor="conversions-status">Status</label>
      <select id="conversions-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as ConversionStatus | '' })}>
        <option value="">Any</option>
        {CONVERSION_STATUSES.map((s) => (
          <option key={s} value={s}>
            {statusLabel(s)}
          </option>
        ))}
      </select>
      <label htmlFor="conversions-from">From (UTC)</label>
      <input id="conversions-from" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} aria-describedby={problem ? 'conversions-filter-problem' : undefined} />
      <label htmlFor="conversions-to">To (UTC)</label>
      <input id="conversions-to" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} aria-describedby={problem ? 'conversions-filter-problem' : undefined} />
      <button type="submit" className="button button-secondary">
        Apply filters
      </button>
      {problem ? (
        <p id="conversions-filter-problem" role="alert" className="form-error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/** One filter's list, a page at a time (keyed by the filter: a new filter starts at page 1). */
function ConversionList({ filter, filtered, changes }: { filter: ConversionFilter; filtered: boolean; changes: number }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalConversionsDocument,
    variables: { first: PAGE_SIZE, after: pages.after, filter, order: 'CREATED_DESC' },
    requestPolicy: 'cache-and-network',
  });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const list = data?.conversions;
  return (
    <>
      {error && !list ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!list && fetching ? <Loading label="Loading conversions…" /> : null}
      {list && list.edges.length === 0 ? (
        filtered ? (
          <Empty title="No conversions match these filters">Try another status or a wider date range.</Empty>
        ) : (
          <Empty title="No conversions yet">A conversion is recorded when an agent-referred payment completes; it appears here as it happens.</Empty>
        )
      ) : null}
      {list && list.edges.length > 0 ? <ConversionRows rows={list.edges.map((e) => e.node)} caption="All conversions, newest first" /> : null}
      {list ? <Pagination pages={pages} pageInfo={list.pageInfo} totalCount={list.totalCount} label="Conversions" disabled={fetching} /> : null}
    </>
  );
}

function AllConversions() {
  const client = useClient();
  const changes = useConversionChanges();
  const [search, setSearch] = useSearchParams();
  const key = search.toString();
  const input = useMemo(() => filterFromSearch(search), [search]);
  // An inverted range in a hand-made URL: the page says why and filters by nothing else.
  const parsed = useMemo(() => toConversionFilter(input), [input]);
  const filter = useMemo<ConversionFilter>(() => (parsed.ok ? parsed.filter : {}), [parsed]);
  const [exportState, startExport] = useCsvExport();
  return (
    <section aria-labelledby="conversions-list" className="panel">
      <div className="page-header">
        <h2 id="conversions-list">All conversions</h2>
        <button
          type="button"
          className="button button-secondary"
          disabled={exportState.status === 'busy' || !parsed.ok}
          aria-describedby="conversions-export-status"
          onClick={() =>
            void startExport(async () => {
              const rows = await exportConversions(client, filter);
              return { filename: conversionsFilename(input), csv: conversionsCsv(rows), rows: rows.length };
            })
          }
        >
          Export conversions (CSV)
        </button>
      </div>
      <ExportStatus state={exportState} id="conversions-export-status" />
      <Filters key={`filters?${key}`} applied={input} onApply={(i) => setSearch(filterToSearch(i))} />
      {!parsed.ok ? (
        <p role="alert" className="form-error">
          {parsed.message}: showing every conversion.
        </p>
      ) : null}
      <ConversionList key={`list?${key}`} filter={filter} filtered={parsed.ok && Boolean(input.status || input.from || input.to)} changes={changes} />
    </section>
  );
}

export default function ConversionsPage() {
  const connection = useConnectionState();
  return (
    <>
      <div className="page-header">
        <h1>Conversions and payouts</h1>
        <p className={`connection connection-${connection}`} role="status" aria-live="polite">
          <span className="dot" aria-hidden="true" /> {CONNECTION_TEXT[connection]}
        </p>
      </div>
      <AllConversions />
      <SettlementStatements />
    </>
  );
}
