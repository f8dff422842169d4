// One endpoint's delivery log (newest first, paged by cursor, filtered by status): each delivery's
// event, status and attempts (time, HTTP status or error, latency, the first KiB of the answer),
// with "Replay" for one delivery (same event id) and "Replay since" for every event from a time.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalReplayWebhookDeliveryDocument, PortalReplayWebhookEventsDocument, PortalWebhookDeliveriesDocument, type WebhookDeliveryStatus } from '../../generated/graphql';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { formatWhen } from '../../ui/secrets';
import { FieldProblem, FormProblems, invalidProps, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { attemptOutcome, localInputToIso, lastLatency } from './developers-logic';

const PAGE_SIZE = 10;
const PENDING_REFRESH_MS = 3_000;
const STATUS_LABEL: Record<WebhookDeliveryStatus, string> = { PENDING: 'Pending', SUCCEEDED: 'Succeeded', FAILED: 'Failed' };

function ReplaySince({ endpointId, enabled, onDone }: { endpointId: string; enabled: boolean; onDone(): void }) {
  const [since, setSince] = useState('');
  const [all, setAll] = useState(false);
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [done, setDone] = useState<string>();
  const [{ fetching }, replay] = useMutation(PortalReplayWebhookEventsDocument);
  const sinceId = `replay-since-${endpointId}`;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const iso = localInputToIso(since);
    if (!iso) return setProblems([{ code: 'BAD_USER_INPUT', field: 'since', message: 'since: pick a date and time.' }]);
    const r = await replay({ endpointId, since: iso, includeSucceeded: all });
    if (r.error || !r.data) {
      setDone(undefined);
      return setProblems(serverProblems(r.error));
    }
    setProblems([]);
    const n = r.data.replayWebhookEvents.deliveries;
    setDone(`${n} ${n === 1 ? 'delivery' : 'deliveries'} sent again${r.data.replayWebhookEvents.nextSince ? ' (more are left: replay again from the last one)' : ''}.`);
    onDone();
  }
  const sinceProblem = problemAt(problems, 'since');
  return (
    <form onSubmit={submit} className="inline-form" aria-label="Replay events since a time">
      <div className="field">
        <label htmlFor={sinceId}>Replay events since</label>
        <input id={sinceId} type="datetime-local" step={1} value={since} onChange={(e) => setSince(e.target.value)} {...invalidProps(`${sinceId}-problem`, sinceProblem)} />
        <FieldProblem id={`${sinceId}-problem`} problem={sinceProblem} />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Include succeeded deliveries
      </label>
      <button type="submit" className="button button-secondary" disabled={fetching || !enabled}>
        {fetching ? 'Replaying…' : 'Replay since'}
      </button>
      {!enabled ? <p className="hint">Enable the endpoint to replay to it.</p> : null}
      <FormProblems problems={problemsElsewhere(problems, ['since'])} />
      {done ? <p className="notice" role="status">{done}</p> : null}
    </form>
  );
}

export function DeliveryLog({ endpointId, canWrite }: { endpointId: string; canWrite: boolean }) {
  const pages = useCursorPages();
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PortalWebhookDeliveriesDocument,
    variables: { id: endpointId, first: PAGE_SIZE, after: pages.after, status: status || undefined },
  });
  const [, replay] = useMutation(PortalReplayWebhookDeliveryDocument);
  const [problem, setProblem] = useState<string>();
  const [replayed, setReplayed] = useState<string>();
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const endpoint = data?.webhookEndpoint;
  const deliveries = endpoint?.deliveries;
  // While a delivery on this page is still pending, read the log again every few seconds.
  const pending = deliveries?.edges.some((e) => e.node.status === 'PENDING') ?? false;
  useEffect(() => {
    if (!pending || fetching) return;
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [pending, fetching, refetch]);
  const filterId = `delivery-status-${endpointId}`;
  return (
    <section className="delivery-log" aria-label="Delivery log">
      <div className="toolbar">
        <div className="field">
          <label htmlFor={filterId}>Status</label>
          <select
            id={filterId}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as WebhookDeliveryStatus | '');
              pages.reset();
            }}
          >
            <option value="">All</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="FAILED">Failed</option>
            <option value="PENDING">Pending</option>
          </select>
        </div>
        <button type="button" className="button button-secondary" onClick={refresh} disabled={fetching}>
          Refresh
        </button>
      </div>
      {error && !deliveries ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading deliveries…" /> : null}
      {data && !endpoint ? <Empty title="This endpoint no longer exists" /> : null}
      {deliveries && deliveries.edges.length === 0 ? <Empty title={status ? 'No deliveries with this status' : 'No deliveries yet'}>Send a test event to see one here.</Empty> : null}
      {deliveries && deliveries.edges.length > 0 ? (
        <table className="table" aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Attempts</th>
              <th scope="col" className="num">Latency</th>
              <th scope="col">Created</th>
              <th scope="col">Attempts and answers</th>
              {canWrite ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {deliveries.edges.map(({ node: d }) => (
              <tr key={d.id} data-delivery-id={d.id} data-event-id={d.eventId}>
                <td>
                  {d.event.type}
                  <br />
                  <code>{d.eventId}</code>
                </td>
                <td>
                  <span className={`badge badge-${d.status.toLowerCase()}`}>{STATUS_LABEL[d.status]}</span>
                  {d.lastError ? <div className="hint">{d.lastError}</div> : null}
                  {d.status === 'PENDING' && d.nextAttemptAt ? <div className="hint">next {formatWhen(d.nextAttemptAt)}</div> : null}
                </td>
                <td className="num">{d.attemptCount}</td>
                <td className="num">{lastLatency(d.attempts)}</td>
                <td>{formatWhen(d.createdAt)}</td>
                <td>
                  {d.attempts.length === 0 ? (
                    <span className="muted">None yet</span>
                  ) : (
                    <details>
                      <summary>{d.attempts.length === 1 ? '1 attempt' : `${d.attempts.length} attempts`}</summary>
                      <ol className="attempts">
                        {d.attempts.map((a, i) => (
                          <li key={i}>
                            <time dateTime={a.attemptedAt}>{formatWhen(a.attemptedAt)}</time> · {attemptOutcome(a)} · {a.latencyMs} ms
                            {a.responseExcerpt ? <pre className="excerpt">{a.responseExcerpt}</pre> : null}
                          </li>
                        ))}
                      </ol>
                    </details>
                  )}
                </td>
                {canWrite ? (
                  <td>
                    <button
                      type="button"
                      className="button button-secondary"
                      disabled={!endpoint?.enabled}
                      aria-label={`Replay ${d.event.type} ${d.eventId}`}
                      onClick={async () => {
                        const r = await replay({ deliveryId: d.id });
                        setProblem(r.error ? errorMessage(r.error) ?? 'The delivery could not be replayed' : undefined);
                        setReplayed(r.error ? undefined : `${d.eventId} sent again.`);
                        refresh();
                      }}
                    >
                      Replay
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
      {replayed ? <p role="status" className="notice">{replayed}</p> : null}
      {deliveries ? <Pagination pages={pages} pageInfo={deliveries.pageInfo} totalCount={deliveries.totalCount} label="Deliveries" disabled={fetching} /> : null}
      {canWrite && endpoint ? <ReplaySince endpointId={endpointId} enabled={endpoint.enabled} onDone={refresh} /> : null}
    </section>
  );
}
