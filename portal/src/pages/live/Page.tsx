// Live: conversions arriving over conversionUpdated (resumed from the last cursor after a
// reconnect: no gap, no duplicate) and payments changing status over paymentIntentUpdated; below,
// every conversion, a page at a time.
import { useCallback, useEffect, useState } from 'react';
import { useQuery } from 'urql';
import {
  PortalConversionUpdatedDocument,
  PortalPaymentIntentUpdatedDocument,
  PortalRecentConversionsDocument,
  type LiveConversionFragment,
  type LivePaymentFragment,
} from '../../generated/graphql';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { mergeLive } from './live-list';
import { ConversionsTable, PaymentsTable } from './live-tables';
import { useConnectionState, useLiveFeed } from './use-live-feed';

const PAGE_SIZE = 20;
const CONNECTION_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting… (missed events will follow)' } as const;

/** Every conversion, a page at a time; read again when a live event says one changed (`changes`). */
function AllConversions({ changes }: { changes: number }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalRecentConversionsDocument, variables: { first: PAGE_SIZE, after: pages.after } });
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);
  const list = data?.conversions;
  return (
    <section aria-labelledby="all-conversions" className="panel">
      <h2 id="all-conversions">All conversions</h2>
      {error && !list ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!list && fetching ? <Loading label="Loading conversions…" /> : null}
      {list && list.edges.length === 0 ? <Empty title="No conversions yet">Conversions appear here once an agent-referred payment completes.</Empty> : null}
      {list && list.edges.length > 0 ? <ConversionsTable rows={list.edges.map((e) => e.node)} caption="All conversions" /> : null}
      {list ? <Pagination pages={pages} pageInfo={list.pageInfo} totalCount={list.totalCount} label="Conversions" disabled={fetching} /> : null}
    </section>
  );
}

export default function LivePage() {
  const connection = useConnectionState();
  const [conversions, setConversions] = useState<LiveConversionFragment[]>([]);
  const [payments, setPayments] = useState<LivePaymentFragment[]>([]);
  const [changes, setChanges] = useState(0);
  const onConversion = useCallback((d: { conversionUpdated: LiveConversionFragment }) => {
    setConversions((l) => mergeLive(l, d.conversionUpdated));
    setChanges((n) => n + 1);
  }, []);
  const onPayment = useCallback((d: { paymentIntentUpdated: LivePaymentFragment }) => setPayments((l) => mergeLive(l, d.paymentIntentUpdated)), []);
  const conversionError = useLiveFeed(PortalConversionUpdatedDocument, onConversion, 'after');
  const paymentError = useLiveFeed(PortalPaymentIntentUpdatedDocument, onPayment);

  return (
    <>
      <div className="page-header">
        <h1>Live</h1>
        <p className={`connection connection-${connection}`} role="status" aria-live="polite">
          <span className="dot" aria-hidden="true" /> {CONNECTION_TEXT[connection]}
        </p>
      </div>
      <section aria-labelledby="live-conversions" className="panel">
        <h2 id="live-conversions">Conversions as they happen</h2>
        {conversionError ? <ErrorState title="Live conversions stopped" message={conversionError} /> : null}
        {conversions.length === 0 && !conversionError ? (
          <Empty title="Waiting for conversions">New and changed conversions appear here the moment they happen.</Empty>
        ) : null}
        {conversions.length > 0 ? <ConversionsTable rows={conversions} caption="Conversions as they happen" /> : null}
      </section>
      <section aria-labelledby="live-payments" className="panel">
        <h2 id="live-payments">Payments</h2>
        {paymentError ? <ErrorState title="Live payments stopped" message={paymentError} /> : null}
        {payments.length === 0 && !paymentError ? <Empty title="Waiting for payments">Payments appear here as their status changes.</Empty> : null}
        {payments.length > 0 ? <PaymentsTable rows={payments} /> : null}
      </section>
      <AllConversions changes={changes} />
    </>
  );
}
