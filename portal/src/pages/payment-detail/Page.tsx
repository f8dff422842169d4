// One payment: its figures, its timeline (events and refunds), disputes where there are any,
// and the partial refund and capture actions for those who may write (an analyst sees none; the
// gateway refuses the mutation anyway with ROLE_FORBIDDEN).
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { PortalCapturePaymentDocument, PortalPaymentDocument, PortalRefundPaymentDocument, type PortalPaymentQuery } from '../../generated/graphql';
import { formatMoney, toMajorDecimal } from '../../lib/money';
import { useCanWrite } from '../../session/session';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { canCapture, disputes, eventLabel, formatDateTime, parseAmount, paymentTimeline, refundableMinor, statusLabel } from '../payments/payment-logic';

type Payment = NonNullable<PortalPaymentQuery['paymentIntent']>;

/** An idempotency key per attempt (a retry of the same attempt reuses it). crypto.randomUUID is
 * for secure contexts only; getRandomValues also works when the portal is served over plain http. */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function RefundForm({ payment, onDone }: { payment: Payment; onDone(): void }) {
  const max = refundableMinor(payment);
  const currency = payment.amount.currency;
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [key, setKey] = useState(newKey);
  const [{ fetching }, refund] = useMutation(PortalRefundPaymentDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseAmount(amount, currency, max);
    if (!parsed.ok) return setProblem(parsed.message);
    setProblem(undefined);
    const result = await refund({ id: payment.id, amountMinor: parsed.amountMinor, reason: reason.trim() || undefined, idempotencyKey: key });
    if (result.error) return setProblem(errorMessage(result.error) ?? 'The refund failed');
    setAmount('');
    setReason('');
    setKey(newKey());
    onDone();
  }
  return (
    <form onSubmit={submit} aria-label="Refund" className="action-form">
      <p className="muted">Up to {formatMoney({ amountMinor: max, currency })} can be refunded.</p>
      <label htmlFor="refund-amount">Refund amount ({currency})</label>
      <input id="refund-amount" inputMode="decimal" value={amount} placeholder={toMajorDecimal(max, currency)} onChange={(e) => setAmount(e.target.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? 'refund-problem' : undefined} />
      <label htmlFor="refund-reason">Reason (optional)</label>
      <input id="refund-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="button" disabled={fetching || !amount.trim()}>
        {fetching ? 'Refunding…' : 'Refund'}
      </button>
      {problem ? (
        <p id="refund-problem" role="alert" className="form-error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

function CaptureButton({ payment, onDone }: { payment: Payment; onDone(): void }) {
  const [{ fetching }, capture] = useMutation(PortalCapturePaymentDocument);
  const [problem, setProblem] = useState<string>();
  const [key] = useState(newKey);
  return (
    <div className="action-form">
      <button
        type="button"
        className="button"
        disabled={fetching}
        onClick={async () => {
          const result = await capture({ id: payment.id, idempotencyKey: key });
          if (result.error) setProblem(errorMessage(result.error) ?? 'The capture failed');
          else onDone();
        }}
      >
        {fetching ? 'Capturing…' : `Capture ${formatMoney(payment.amount)}`}
      </button>
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
    </div>
  );
}

function Detail({ payment, refresh }: { payment: Payment; refresh(): void }) {
  const canWrite = useCanWrite();
  const timeline = useMemo(() => paymentTimeline(payment.events, payment.refunds), [payment]);
  const disputed = useMemo(() => disputes(payment.events), [payment]);
  const refundable = refundableMinor(payment) > 0;
  return (
    <>
      <section aria-labelledby="payment-summary" className="panel">
        <h2 id="payment-summary">Summary</h2>
        <dl className="tiles">
          <div className="tile"><dt>Status</dt><dd>{statusLabel(payment.status)}</dd></div>
          <div className="tile"><dt>Amount</dt><dd>{formatMoney(payment.amount)}</dd></div>
          <div className="tile"><dt>Captured</dt><dd>{formatMoney(payment.amountCaptured)}</dd></div>
          <div className="tile"><dt>Refunded</dt><dd>{formatMoney(payment.amountRefunded)}</dd></div>
          <div className="tile"><dt>Customer</dt><dd>{payment.checkoutSession?.customerEmail ?? '—'}</dd></div>
          <div className="tile"><dt>Provider</dt><dd>{payment.provider}</dd></div>
        </dl>
        {payment.checkoutSession ? (
          <p>
            <Link to={`/checkout-sessions/${encodeURIComponent(payment.checkoutSession.id)}`}>Open its checkout session</Link>
          </p>
        ) : null}
      </section>
      {canWrite && (refundable || canCapture(payment)) ? (
        <section aria-labelledby="payment-actions" className="panel">
          <h2 id="payment-actions">Actions</h2>
          {canCapture(payment) ? <CaptureButton payment={payment} onDone={refresh} /> : null}
          {refundable ? <RefundForm payment={payment} onDone={refresh} /> : null}
        </section>
      ) : null}
      {disputed.length > 0 ? (
        <section aria-labelledby="payment-disputes" className="panel">
          <h2 id="payment-disputes">Disputes</h2>
          <ul>
            {disputed.map((d, i) => (
              <li key={`${d.type}-${i}`}>
                {eventLabel(d.type)} · <time dateTime={d.at}>{formatDateTime(d.at)}</time>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="payment-timeline" className="panel">
        <h2 id="payment-timeline">Timeline</h2>
        {timeline.length === 0 ? (
          <Empty title="Nothing has happened yet" />
        ) : (
          <ol className="timeline">
            {timeline.map((t, i) => (
              <li key={`${t.at}-${i}`} data-kind={t.kind}>
                <time dateTime={t.at}>{formatDateTime(t.at)}</time> · {t.label}
                {t.amount ? ` · ${formatMoney(t.amount)}` : ''}
                {t.note ? <span className="muted"> · {t.note}</span> : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

export default function PaymentDetailPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalPaymentDocument, variables: { id } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  return (
    <>
      <p>
        <Link to="/payments">All payments</Link>
      </p>
      <h1>Payment {data?.paymentIntent?.description ? `· ${data.paymentIntent.description}` : ''}</h1>
      <p className="muted">{id}</p>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading the payment…" /> : null}
      {data && !data.paymentIntent ? <Empty title="No such payment">Check the ID, or pick one from the list.</Empty> : null}
      {data?.paymentIntent ? <Detail payment={data.paymentIntent} refresh={refresh} /> : null}
    </>
  );
}
