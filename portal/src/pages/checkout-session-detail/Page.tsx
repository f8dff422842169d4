// One checkout session: its line items, totals, the latest calculation, its support notes, its
// metadata and its timeline. Names, SKUs, notes and metadata are buyer/merchant data: React text only.
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { PortalCheckoutSessionDocument, type PortalCheckoutSessionQuery } from '../../generated/graphql';
import { formatMoney, type MoneyValue } from '../../lib/money';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { formatDateTime, statusLabel } from '../payments/payment-logic';

type Session = NonNullable<PortalCheckoutSessionQuery['checkoutSession']>;

function Figures({ rows }: { rows: Array<[string, MoneyValue]> }) {
  return (
    <dl className="tiles">
      {rows.map(([label, value]) => (
        <div className="tile" key={label}>
          <dt>{label}</dt>
          <dd>{formatMoney(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The session's metadata as key/value text (a nested value as JSON); the merchant's strings, React text only. */
function metadataRows(metadata: unknown): Array<[string, string]> {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return [];
  return Object.entries(metadata as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

function Detail({ s }: { s: Session }) {
  const calc = s.calculation;
  return (
    <>
      <section aria-labelledby="session-summary" className="panel">
        <h2 id="session-summary">Summary</h2>
        <p>
          {statusLabel(s.status)} · {s.customerEmail ?? 'no customer email'} · created <time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time>
        </p>
        {s.paymentIntentId ? (
          <p>
            <Link to={`/payments/${encodeURIComponent(s.paymentIntentId)}`}>Open its payment</Link>
          </p>
        ) : null}
      </section>
      <section aria-labelledby="session-lines" className="panel">
        <h2 id="session-lines">Line items</h2>
        {s.lineItems.length === 0 ? (
          <Empty title="No line items" />
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">SKU</th>
                <th scope="col">Quantity</th>
                <th scope="col">Unit price</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {s.lineItems.map((li, i) => (
                <tr key={i} data-line-item>
                  <td>{li.name}</td>
                  <td>{li.sku ?? '—'}</td>
                  <td>{li.quantity}</td>
                  <td>{formatMoney(li.unitAmount)}</td>
                  <td>{formatMoney(li.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="session-totals" className="panel">
        <h2 id="session-totals">Totals</h2>
        <Figures
          rows={[
            ['Subtotal', s.totals.subtotal],
            ['Discount', s.totals.discount],
            ['Tax', s.totals.tax],
            ['Shipping', s.totals.shipping],
            ['Total', s.totals.total],
          ]}
        />
      </section>
      <section aria-labelledby="session-calculation" className="panel">
        <h2 id="session-calculation">Calculation</h2>
        {calc ? (
          <>
            <p className="muted">
              Calculated <time dateTime={calc.calculatedAt}>{formatDateTime(calc.calculatedAt)}</time>
            </p>
            <Figures
              rows={[
                ['Subtotal', calc.totals.subTotal],
                ['Discounts', calc.totals.discountTotal],
                ['Tax', calc.totals.taxTotal],
                ['Shipping', calc.totals.shippingTotal],
                ['Grand total', calc.totals.grandTotal],
              ]}
            />
          </>
        ) : (
          <Empty title="Not calculated yet">A calculation appears once the checkout has an address and its prices are worked out.</Empty>
        )}
      </section>
      <section aria-labelledby="session-notes" className="panel">
        <h2 id="session-notes">Support notes</h2>
        {!s.supportNotes?.length ? (
          <Empty title="No notes" />
        ) : (
          <ol className="timeline">
            {s.supportNotes.map((n) => (
              <li key={n.id} data-note>
                <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time> · {n.note}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="session-metadata" className="panel">
        <h2 id="session-metadata">Metadata</h2>
        {metadataRows(s.metadata).length === 0 ? (
          <Empty title="No metadata" />
        ) : (
          <dl className="pairs">
            {metadataRows(s.metadata).map(([k, v]) => (
              <div key={k}>
                <dt>
                  <code>{k}</code>
                </dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="session-timeline" className="panel">
        <h2 id="session-timeline">Timeline</h2>
        {s.timeline.edges.length === 0 ? (
          <Empty title="Nothing has happened yet" />
        ) : (
          <ol className="timeline">
            {s.timeline.edges.map(({ node: t }) => (
              <li key={t.id}>
                <time dateTime={t.at}>{formatDateTime(t.at)}</time> · {t.summary}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

export default function CheckoutSessionDetailPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalCheckoutSessionDocument, variables: { id } });
  return (
    <>
      <p>
        <Link to="/checkout-sessions">All checkout sessions</Link>
      </p>
      <h1>Checkout session</h1>
      <p className="muted">{id}</p>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!data && fetching ? <Loading label="Loading the checkout session…" /> : null}
      {data && !data.checkoutSession ? <Empty title="No such checkout session">Check the ID, or pick one from the list.</Empty> : null}
      {data?.checkoutSession ? <Detail s={data.checkoutSession} /> : null}
    </>
  );
}
