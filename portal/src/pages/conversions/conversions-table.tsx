// A table of conversions (the list and a statement's lines). Order references and agent names are
// merchant- and agent-controlled: React text children, never markup.
import { Link } from 'react-router';
import type { ConversionRowFragment } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { formatDateTime } from '../payments/payment-logic';
import { statusLabel } from './conversion-logic';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}

export function ConversionRows({ rows, caption }: { rows: readonly ConversionRowFragment[]; caption: string }) {
  return (
    <table className="table conversions-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Conversion</th>
          <th scope="col">Status</th>
          <th scope="col">Agent</th>
          <th scope="col" className="num">Value</th>
          <th scope="col" className="num">Refunded</th>
          <th scope="col" className="num">Commission</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} data-conversion-id={c.id}>
            <td>
              <Link to={`/conversions/${encodeURIComponent(c.id)}`}>
                <code>{c.id}</code>
              </Link>
              {c.orderReference ? <div className="muted">{c.orderReference}</div> : null}
            </td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td>{c.agent?.name ?? '—'}</td>
            <td className="num">{formatMoney(c.transactionValue)}</td>
            <td className="num">{c.refunded.amountMinor ? formatMoney(c.refunded) : '—'}</td>
            <td className="num">{formatMoney(c.commission.amount)}</td>
            <td>
              <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
