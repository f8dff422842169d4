// Webhook endpoints: the list with each endpoint's state and actions (send a test event, enable or
// disable, rotate the signing secret, delete), a create form (the secret shown once) and each
// endpoint's delivery log. Analysts read the list and the logs; every action is hidden for them.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  PortalCreateWebhookEndpointDocument,
  PortalDeleteWebhookEndpointDocument,
  PortalRotateWebhookEndpointSecretDocument,
  PortalSendTestWebhookDocument,
  PortalUpdateWebhookEndpointDocument,
  PortalWebhookEndpointsDocument,
  type PortalWebhookEndpointRowFragment,
} from '../../generated/graphql';
import { ConfirmButton, SecretOnce, formatWhen, newIdempotencyKey } from '../../ui/secrets';
import { FieldProblem, FormProblems, invalidProps, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { eventsLabel, parseEventList } from './developers-logic';
import { DeliveryLog } from './webhook-deliveries';

type Endpoint = PortalWebhookEndpointRowFragment;

function CreateEndpoint({ onCreated }: { onCreated(): void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('*');
  const [description, setDescription] = useState('');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [secret, setSecret] = useState<string>();
  const [attempt, setAttempt] = useState(newIdempotencyKey);
  const [{ fetching }, create] = useMutation(PortalCreateWebhookEndpointDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await create({
      input: { url: url.trim(), events: parseEventList(events), description: description.trim() || undefined },
      idempotencyKey: attempt,
    });
    if (r.error || !r.data) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSecret(r.data.createWebhookEndpoint.secret);
    setUrl('');
    setEvents('*');
    setDescription('');
    setAttempt(newIdempotencyKey());
    onCreated();
  }
  if (secret) {
    return (
      <SecretOnce label="Signing secret" secret={secret} onDismiss={() => setSecret(undefined)}>
        <p className="muted">Verify each delivery’s <code>Handoff-Signature</code> header with it (docs/api.md, “Verifying the signature”).</p>
      </SecretOnce>
    );
  }
  const urlProblem = problemAt(problems, 'url');
  const eventsProblem = problemAt(problems, 'events');
  const descriptionProblem = problemAt(problems, 'description');
  return (
    <form onSubmit={submit} aria-label="Add a webhook endpoint" className="action-form inline-form">
      <div className="field field-wide">
        <label htmlFor="webhook-url">Endpoint URL</label>
        <input id="webhook-url" type="url" required value={url} placeholder="https://example.com/handoff/webhooks" onChange={(e) => setUrl(e.target.value)} {...invalidProps('webhook-url-problem', urlProblem)} />
        <FieldProblem id="webhook-url-problem" problem={urlProblem} />
      </div>
      <div className="field field-wide">
        <label htmlFor="webhook-events">Events</label>
        <input id="webhook-events" value={events} onChange={(e) => setEvents(e.target.value)} aria-describedby={eventsProblem ? 'webhook-events-problem' : 'webhook-events-hint'} aria-invalid={eventsProblem ? true : undefined} />
        <p id="webhook-events-hint" className="hint">
          Event types separated by commas (e.g. <code>payment.succeeded, checkout.completed</code>), or <code>*</code> for all.
        </p>
        <FieldProblem id="webhook-events-problem" problem={eventsProblem} />
      </div>
      <div className="field">
        <label htmlFor="webhook-description">Description (optional)</label>
        <input id="webhook-description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} {...invalidProps('webhook-description-problem', descriptionProblem)} />
        <FieldProblem id="webhook-description-problem" problem={descriptionProblem} />
      </div>
      <button type="submit" className="button" disabled={fetching || !url.trim()}>
        {fetching ? 'Adding…' : 'Add endpoint'}
      </button>
      <FormProblems problems={problemsElsewhere(problems, ['url', 'events', 'description'])} />
    </form>
  );
}

function EndpointCard({ endpoint: ep, canWrite, onChanged }: { endpoint: Endpoint; canWrite: boolean; onChanged(): void }) {
  const [showLog, setShowLog] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [, update] = useMutation(PortalUpdateWebhookEndpointDocument);
  const [, remove] = useMutation(PortalDeleteWebhookEndpointDocument);
  const [, rotate] = useMutation(PortalRotateWebhookEndpointSecretDocument);
  const [{ fetching: sending }, sendTest] = useMutation(PortalSendTestWebhookDocument);
  const [logKey, setLogKey] = useState(0);
  const fail = (e: Parameters<typeof errorMessage>[0], what: string) => setMessage({ kind: 'error', text: errorMessage(e) ?? what });
  const headingId = `endpoint-${ep.id}`;
  return (
    <li className="endpoint" data-endpoint-id={ep.id}>
      <h3 id={headingId} className="endpoint-url">{ep.url}</h3>
      <dl className="facts">
        <div><dt>Status</dt><dd>{ep.enabled ? <span className="badge badge-succeeded">Enabled</span> : <span className="badge badge-canceled">Disabled{ep.disabledReason === 'FAILING' ? ' (every delivery failed for 5 days)' : ''}</span>}</dd></div>
        <div><dt>Events</dt><dd>{eventsLabel(ep.events)}</dd></div>
        {ep.description ? <div><dt>Description</dt><dd>{ep.description}</dd></div> : null}
        {ep.failingSince ? <div><dt>Failing since</dt><dd>{formatWhen(ep.failingSince)}</dd></div> : null}
        {ep.previousSecretExpiresAt ? <div><dt>Previous secret signs until</dt><dd>{formatWhen(ep.previousSecretExpiresAt)}</dd></div> : null}
        <div><dt>Created</dt><dd>{formatWhen(ep.createdAt)}</dd></div>
      </dl>
      {secret ? <SecretOnce label="New signing secret" secret={secret} onDismiss={() => setSecret(undefined)}><p className="muted">For 24 hours deliveries carry a signature with each secret.</p></SecretOnce> : null}
      <div className="actions">
        {canWrite ? (
          <>
            <button
              type="button"
              className="button"
              disabled={!ep.enabled || sending}
              onClick={async () => {
                const r = await sendTest({ endpointId: ep.id, idempotencyKey: newIdempotencyKey() });
                if (r.error || !r.data) return fail(r.error, 'The test event could not be sent');
                setMessage({ kind: 'ok', text: `Test event ${r.data.sendTestWebhook[0]?.eventId ?? ''} is on its way.` });
                setShowLog(true);
                setLogKey((k) => k + 1);
              }}
            >
              {sending ? 'Sending…' : 'Send test event'}
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={async () => {
                const r = await update({ id: ep.id, input: { enabled: !ep.enabled } });
                if (r.error) return fail(r.error, 'The endpoint could not be changed');
                setMessage(undefined);
                onChanged();
              }}
            >
              {ep.enabled ? 'Disable' : 'Enable'}
            </button>
            <ConfirmButton
              label="Rotate secret"
              danger={false}
              question="Make a new signing secret? The current one keeps signing for 24 hours."
              confirmLabel="Yes, rotate"
              onConfirm={async () => {
                const r = await rotate({ id: ep.id });
                if (r.error || !r.data) return fail(r.error, 'The secret could not be rotated');
                setMessage(undefined);
                setSecret(r.data.rotateWebhookEndpointSecret.secret);
                onChanged();
              }}
            />
            <ConfirmButton
              label="Delete"
              question="Delete this endpoint? Its pending deliveries fail and nothing more is sent to it."
              confirmLabel="Yes, delete"
              onConfirm={async () => {
                const r = await remove({ id: ep.id });
                if (r.error) return fail(r.error, 'The endpoint could not be deleted');
                onChanged();
              }}
            />
          </>
        ) : null}
        <button type="button" className="button button-secondary" aria-expanded={showLog} onClick={() => setShowLog((s) => !s)}>
          {showLog ? 'Hide delivery log' : 'Show delivery log'}
        </button>
      </div>
      {message ? (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'form-error' : 'notice'}>
          {message.text}
        </p>
      ) : null}
      {showLog ? <DeliveryLog key={logKey} endpointId={ep.id} canWrite={canWrite} /> : null}
    </li>
  );
}

export function WebhookEndpoints({ canWrite }: { canWrite: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalWebhookEndpointsDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const endpoints = data?.webhookEndpoints;
  return (
    <>
      {canWrite ? <CreateEndpoint onCreated={refresh} /> : null}
      {error && !endpoints ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!endpoints && fetching ? <Loading label="Loading webhook endpoints…" /> : null}
      {endpoints && endpoints.length === 0 ? <Empty title="No webhook endpoints yet">{canWrite ? 'Add one above to receive events as they happen.' : 'An owner or a developer can add one.'}</Empty> : null}
      {endpoints && endpoints.length > 0 ? (
        <ul className="endpoints" aria-label="Webhook endpoints">
          {endpoints.map((ep) => (
            <EndpointCard key={ep.id} endpoint={ep} canWrite={canWrite} onChanged={refresh} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
