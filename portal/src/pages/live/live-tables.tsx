// The Live page's tables. Every merchant- or buyer-controlled string (agent names, order
// references, descriptions) is a React text child: escaped, never markup.
import type { LiveConversionFragment, LivePaymentFragment } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const statusLabel = (s: string) => s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, ' ');

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}

export function ConversionsTable({ rows, caption }: { rows: readonly LiveConversionFragment[]; caption: string }) {
  return (
    <table className="table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Conversion</th>
          <th scope="col">Status</th>
          <th scope="col">Agent</th>
          <th scope="col" className="num">Value</th>
          <th scope="col" className="num">Commission</th>
          <th scope="col" className="num">Refunded</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} data-conversion-id={c.id}>
            <td>
              <code>{c.id}</code>
              {c.orderReference ? <div className="muted">{c.orderReference}</div> : null}
            </td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td>{c.agent?.name ?? '—'}</td>
            <td className="num">{formatMoney(c.transactionValue)}</td>
            <td className="num">{formatMoney(c.commission.amount)}</td>
            <td className="num">{c.refunded.amountMinor ? formatMoney(c.refunded) : '—'}</td>
            <td>{time(c.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PaymentsTable({ rows }: { rows: readonly LivePaymentFragment[] }) {
  return (
    <table className="table">
      <caption className="visually-hidden">Payments that changed status</caption>
      <thead>
        <tr>
          <th scope="col">Payment</th>
          <th scope="col">Status</th>
          <th scope="col">Description</th>
          <th scope="col" className="num">Amount</th>
          <th scope="col" className="num">Refunded</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id} data-payment-id={p.id}>
            <td>
              <code>{p.id}</code>
            </td>
            <td>
              <StatusBadge status={p.status} />
            </td>
            <td>{p.description ?? '—'}</td>
            <td className="num">{formatMoney(p.amount)}</td>
            <td className="num">{p.amountRefunded.amountMinor ? formatMoney(p.amountRefunded) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
