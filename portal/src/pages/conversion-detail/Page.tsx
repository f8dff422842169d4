// One conversion: its figures, the milestones of the merchant's conversion flow, and its ledger
// entries (the double-entry lines: a refund's or a lost dispute's reversal names the transaction it
// reverses). Read again when conversionUpdated says it changed.
import { useCallback, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { PortalConversionChangedDocument, PortalConversionDocument, type PortalConversionQuery } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { statusLabel } from '../conversions/conversion-logic';
import '../conversions/conversions.css';
import { StatusBadge } from '../conversions/conversions-table';
import { useLiveFeed } from '../live/use-live-feed';
import { formatDateTime } from '../payments/payment-logic';

type Conversion = NonNullable<PortalConversionQuery['conversion']>;

function Summary({ c }: { c: Conversion }) {
  return (
    <section aria-labelledby="conversion-summary" className="panel">
      <h2 id="conversion-summary">Summary</h2>
      <dl className="tiles">
        <div className="tile"><dt>Status</dt><dd><StatusBadge status={c.status} /></dd></div>
        <div className="tile"><dt>Transaction value</dt><dd>{formatMoney(c.transactionValue)}</dd></div>
        <div className="tile"><dt>Refunded</dt><dd>{formatMoney(c.refunded)}</dd></div>
        <div className="tile"><dt>Commission</dt><dd>{formatMoney(c.commission.amount)}</dd></div>
        <div className="tile"><dt>Network fee</dt><dd>{formatMoney(c.commission.networkFee)}</dd></div>
        <div className="tile"><dt>Builder payout</dt><dd>{formatMoney(c.commission.builderPayout)}</dd></div>
        <div className="tile"><dt>Order reference</dt><dd>{c.orderReference ?? '—'}</dd></div>
        <div className="tile"><dt>Agent</dt><dd>{c.agent?.name ?? '—'}</dd></div>
        <div className="tile"><dt>Path</dt><dd>{statusLabel(c.conversionPath)}</dd></div>
        <div className="tile"><dt>Verification</dt><dd>{c.verification}</dd></div>
        <div className="tile"><dt>Validates</dt><dd>{formatDateTime(c.validatesAt)}</dd></div>
        <div className="tile"><dt>Paid</dt><dd>{c.paidAt ? formatDateTime(c.paidAt) : 'Not yet'}</dd></div>
      </dl>
      {c.paymentIntent ? (
        <p>
          <Link to={`/payments/${encodeURIComponent(c.paymentIntent.id)}`}>Open its payment</Link>
        </p>
      ) : null}
    </section>
  );
}

function Milestones({ c }: { c: Conversion }) {
  return (
    <section aria-labelledby="conversion-milestones" className="panel">
      <h2 id="conversion-milestones">Milestones</h2>
      {c.milestones.length === 0 ? (
        <Empty title="No milestones recorded">Milestones are the steps of your conversion flow (activation, first use…) that you record for a conversion.</Empty>
      ) : (
        <ol className="timeline">
          {c.milestones.map((m, i) => (
            <li key={`${m.step}-${i}`} data-milestone={m.step}>
              <time dateTime={m.recordedAt}>{formatDateTime(m.recordedAt)}</time> · {m.step} · {statusLabel(m.status)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function LedgerEntries({ c }: { c: Conversion }) {
  return (
    <section aria-labelledby="conversion-ledger" className="panel">
      <h2 id="conversion-ledger">Ledger entries</h2>
      {c.ledgerEntries.length === 0 ? (
        <Empty title="Nothing booked yet">The commission is booked when the conversion is verified.</Empty>
      ) : (
        // Wider than a phone (dates and amounts never wrap): it scrolls in a box the keyboard can focus.
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Entries table, scrolls sideways">
          <table className="table conversions-table">
            <caption className="visually-hidden">Ledger entries of this conversion, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Account</th>
                <th scope="col" className="num">Debit</th>
                <th scope="col" className="num">Credit</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {c.ledgerEntries.map((e) => (
                <tr key={e.id} data-entry-kind={e.kind}>
                  <td>
                    <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time>
                  </td>
                  <td>{statusLabel(e.kind)}</td>
                  <td>
                    <code>{e.account}</code>
                  </td>
                  <td className="num">{e.direction === 'debit' ? formatMoney(e.amount) : ''}</td>
                  <td className="num">{e.direction === 'credit' ? formatMoney(e.amount) : ''}</td>
                  <td>
                    <code>{e.transactionId}</code>
                    {e.reversesTransactionId ? (
                      <div className="muted">
                        reverses <code>{e.reversesTransactionId}</code>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function ConversionDetailPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalConversionDocument, variables: { id } });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // The feed's handler is set once per subscription: it reads the current id and refresh by ref.
  const current = useRef({ id, refresh });
  current.current = { id, refresh };
  useLiveFeed(PortalConversionChangedDocument, (d) => {
    if (d.conversionUpdated.id === current.current.id) current.current.refresh();
  });
  const c = data?.conversion;
  return (
    <>
      <p>
        <Link to="/conversions">All conversions</Link>
      </p>
      <h1>Conversion</h1>
      <p className="muted">{id}</p>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading the conversion…" /> : null}
      {data && !c ? <Empty title="No such conversion">Check the ID, or pick one from the list.</Empty> : null}
      {c ? (
        <>
          <Summary c={c} />
          <Milestones c={c} />
          <LedgerEntries c={c} />
        </>
      ) : null}
    </>
  );
}
