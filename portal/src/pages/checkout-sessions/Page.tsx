// Checkout sessions: newest first, a page at a time, filtered by status (the graph's filter).
import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { PortalCheckoutSessionsDocument, type CheckoutSessionStatus } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { formatDateTime, statusLabel } from '../payments/payment-logic';

const PAGE_SIZE = 25;
const STATUSES: CheckoutSessionStatus[] = ['OPEN', 'COMPLETE', 'EXPIRED', 'CANCELED'];

export default function CheckoutSessionsPage() {
  const pages = useCursorPages();
  const [status, setStatus] = useState<CheckoutSessionStatus | ''>('');
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalCheckoutSessionsDocument,
    variables: { first: PAGE_SIZE, after: pages.after, status: status || undefined },
    requestPolicy: 'cache-and-network',
  });
  const conn = data?.checkoutSessions;
  return (
    <>
      <div className="page-header">
        <h1>Checkout sessions</h1>
        <form className="range" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="sessions-status">Status</label>
          <select
            id="sessions-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as CheckoutSessionStatus | '');
              pages.reset();
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </form>
      </div>
      <section aria-labelledby="sessions-list" className="panel">
        <h2 id="sessions-list">All checkout sessions</h2>
        {error && !data ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
        {!data && fetching ? <Loading label="Loading checkout sessions…" /> : null}
        {conn && conn.edges.length === 0 ? <Empty title="No checkout sessions here">They appear once agents or buyers start a checkout.</Empty> : null}
        {conn && conn.edges.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
                <th scope="col">Customer</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {conn.edges.map(({ node: s }) => (
                <tr key={s.id} data-session-id={s.id}>
                  <td>
                    <Link to={`/checkout-sessions/${encodeURIComponent(s.id)}`}>{s.id}</Link>
                  </td>
                  <td>{statusLabel(s.status)}</td>
                  <td>{formatMoney(s.totals.total)}</td>
                  <td>{s.customerEmail ?? '—'}</td>
                  <td>{formatDateTime(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {conn ? <Pagination pages={pages} pageInfo={conn.pageInfo} totalCount={conn.totalCount} label="Checkout sessions" disabled={fetching} /> : null}
      </section>
    </>
  );
}
