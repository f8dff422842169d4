// Payments: the merchant's payments, newest first (paymentIntents: the graph's cursors), filtered
// by status (any of several), creation date, amount (minor units of one currency) and customer
// email (exact). The filters live in the URL (payment-filters.ts), so a reload or a shared link
// keeps them; a payment is also opened by its id.
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { PortalPaymentsDocument, type PaymentIntentFilter } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { isFiltered, NO_FILTERS, PAYMENT_STATUSES, paymentFilterFromSearch, paymentFilterToSearch, toPaymentFilter, type PaymentFilterInput } from './payment-filters';
import { formatDateTime, statusLabel } from './payment-logic';
import './payments.css';

const PAGE_SIZE = 25;

function FindById() {
  const [id, setId] = useState('');
  const navigate = useNavigate();
  function submit(e: FormEvent) {
    e.preventDefault();
    if (id.trim()) void navigate(`/payments/${encodeURIComponent(id.trim())}`);
  }
  return (
    <form className="range" onSubmit={submit} aria-label="Find a payment">
      <label htmlFor="payment-id">Payment ID</label>
      <input id="payment-id" value={id} onChange={(e) => setId(e.target.value)} />
      <button type="submit" className="button button-secondary" disabled={!id.trim()}>
        Open
      </button>
    </form>
  );
}

const PROBLEM_ID = 'payments-filter-problem';

function Filters({ applied, onApply }: { applied: PaymentFilterInput; onApply(input: PaymentFilterInput): void }) {
  const [draft, setDraft] = useState<PaymentFilterInput>(applied);
  const [problem, setProblem] = useState<{ field: keyof PaymentFilterInput; message: string }>();
  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = toPaymentFilter(draft);
    if (!parsed.ok) return setProblem({ field: parsed.field, message: parsed.message });
    setProblem(undefined);
    onApply(draft);
  }
  const described = (field: keyof PaymentFilterInput) =>
    problem?.field === field ? { 'aria-describedby': PROBLEM_ID, 'aria-invalid': true as const } : {};
  const text = (field: 'from' | 'to' | 'min' | 'max' | 'currency' | 'email', label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`payments-${field}`}>{label}</label>
      <input id={`payments-${field}`} value={draft[field]} onChange={(e) => setDraft({ ...draft, [field]: e.target.value })} {...described(field)} {...props} />
    </div>
  );
  return (
    <form className="payments-filters" aria-label="Filter payments" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Status (any of)</legend>
        {PAYMENT_STATUSES.map((s) => (
          <label key={s}>
            <input
              type="checkbox"
              name="status"
              value={s}
              checked={draft.statuses.includes(s)}
              onChange={(e) => setDraft({ ...draft, statuses: e.target.checked ? [...draft.statuses, s] : draft.statuses.filter((x) => x !== s) })}
            />
            {statusLabel(s)}
          </label>
        ))}
      </fieldset>
      {text('from', 'Created from (UTC)', { type: 'date' })}
      {text('to', 'Created to (UTC)', { type: 'date' })}
      {text('min', 'Amount at least', { inputMode: 'decimal', autoComplete: 'off' })}
      {text('max', 'Amount at most', { inputMode: 'decimal', autoComplete: 'off' })}
      {text('currency', 'Currency', { maxLength: 3, autoComplete: 'off', placeholder: 'GBP' })}
      {text('email', 'Customer email', { type: 'email', autoComplete: 'off', spellCheck: false })}
      <div className="actions">
        <button type="submit" className="button button-secondary">
          Apply filters
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={!isFiltered(applied) && !isFiltered(draft)}
          onClick={() => {
            setDraft(NO_FILTERS);
            setProblem(undefined);
            onApply(NO_FILTERS);
          }}
        >
          Clear filters
        </button>
      </div>
      {problem ? (
        <p id={PROBLEM_ID} role="alert" className="form-error">
          {problem.message}
        </p>
      ) : null}
    </form>
  );
}

/** One filter's list, a page at a time (keyed by the filter: a new filter starts at page 1). */
function PaymentList({ filter, filtered }: { filter: PaymentIntentFilter; filtered: boolean }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalPaymentsDocument,
    variables: { first: PAGE_SIZE, after: pages.after, filter },
    requestPolicy: 'cache-and-network',
  });
  const conn = data?.paymentIntents;
  return (
    <>
      {error && !conn ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!conn && fetching ? <Loading label="Loading payments…" /> : null}
      {conn && conn.edges.length === 0 ? (
        filtered ? (
          <Empty title="No payments match these filters">Try more statuses, a wider date or amount range, or check the customer’s whole email address.</Empty>
        ) : (
          <Empty title="No payments yet">Payments appear here once buyers pay at checkout.</Empty>
        )
      ) : null}
      {conn && conn.edges.length > 0 ? (
        <table className="payments-table">
          <caption className="visually-hidden">Payments, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Payment</th>
              <th scope="col">Status</th>
              <th scope="col">Amount</th>
              <th scope="col">Refunded</th>
              <th scope="col">Customer</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {conn.edges.map(({ node: p }) => (
              <tr key={p.id} data-payment-id={p.id}>
                <td>
                  <Link to={`/payments/${encodeURIComponent(p.id)}`}>{p.description || p.id}</Link>
                </td>
                <td className="status">{statusLabel(p.status)}</td>
                <td className="num">{formatMoney(p.amount)}</td>
                <td className="num">{p.amountRefunded.amountMinor ? formatMoney(p.amountRefunded) : '—'}</td>
                <td>{p.receiptEmail ?? '—'}</td>
                <td>
                  <time dateTime={p.createdAt}>{formatDateTime(p.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {conn ? <Pagination pages={pages} pageInfo={conn.pageInfo} totalCount={conn.totalCount} label="Payments" disabled={fetching} /> : null}
    </>
  );
}

export default function PaymentsPage() {
  const [search, setSearch] = useSearchParams();
  const key = search.toString();
  const input = useMemo(() => paymentFilterFromSearch(search), [search]);
  // A bad value in a hand-made URL: the page says why and lists without filters.
  const parsed = useMemo(() => toPaymentFilter(input), [input]);
  const filter = useMemo<PaymentIntentFilter>(() => (parsed.ok ? parsed.filter : {}), [parsed]);
  return (
    <>
      <div className="page-header">
        <h1>Payments</h1>
        <FindById />
      </div>
      <section aria-labelledby="payments-list" className="panel">
        <h2 id="payments-list">All payments</h2>
        <Filters key={`filters?${key}`} applied={input} onApply={(i) => setSearch(paymentFilterToSearch(i))} />
        {!parsed.ok ? (
          <p role="alert" className="form-error">
            {parsed.message}: showing every payment.
          </p>
        ) : null}
        <PaymentList key={`list?${key}`} filter={filter} filtered={parsed.ok && isFiltered(input)} />
      </section>
    </>
  );
}
