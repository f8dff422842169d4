// The PSP connection: which PSP, its mode, the publishable key, whether a webhook secret is on
// file, when it was connected. Owners and developers connect or replace it: a Stripe secret key
// (and optional webhook secret) is sent once and never shown back (the query never selects it).
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalConnectPaymentProcessorDocument, PortalPaymentConnectionDocument, type PaymentProvider } from '../../generated/graphql';
import { formatWhen, newIdempotencyKey } from '../../ui/secrets';
import { FieldProblem, FormProblems, invalidProps, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { connectionMode } from './developers-logic';

function ConnectForm({ merchantId, connected, onDone }: { merchantId: string; connected: boolean; onDone(): void }) {
  const [provider, setProvider] = useState<PaymentProvider>('STRIPE');
  const [secretKey, setSecretKey] = useState('');
  const [publishableKey, setPublishableKey] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  /** The provider just connected (the notice names the secret key only when one was sent). */
  const [saved, setSaved] = useState<PaymentProvider>();
  const [attempt, setAttempt] = useState(newIdempotencyKey);
  const [{ fetching }, connect] = useMutation(PortalConnectPaymentProcessorDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const input =
      provider === 'STRIPE'
        ? { provider, secretKey: secretKey.trim(), publishableKey: publishableKey.trim() || undefined, webhookSecret: webhookSecret.trim() || undefined }
        : { provider };
    const r = await connect({ merchantId, input, idempotencyKey: attempt });
    setAttempt(newIdempotencyKey());
    if (r.error) {
      setSaved(undefined);
      return setProblems(serverProblems(r.error));
    }
    setProblems([]);
    // The secrets leave the page's memory as soon as they are sent.
    setSecretKey('');
    setWebhookSecret('');
    setSaved(provider);
    onDone();
  }
  const fields = ['secretKey', 'publishableKey', 'webhookSecret'];
  const p = Object.fromEntries(fields.map((f) => [f, problemAt(problems, f)]));
  return (
    <form onSubmit={submit} aria-label={connected ? 'Replace the PSP connection' : 'Connect a PSP'} className="action-form">
      <fieldset>
        <legend>{connected ? 'Replace the connection' : 'Connect'}</legend>
        <div className="field">
          <label htmlFor="psp-provider">PSP</label>
          <select id="psp-provider" value={provider} onChange={(e) => setProvider(e.target.value as PaymentProvider)}>
            <option value="STRIPE">Stripe</option>
            <option value="TEST">Handoff sandbox (test payments only)</option>
          </select>
        </div>
        {provider === 'STRIPE' ? (
          <>
            <div className="field">
              <label htmlFor="psp-secret-key">Secret key</label>
              <input id="psp-secret-key" type="password" autoComplete="off" required value={secretKey} onChange={(e) => setSecretKey(e.target.value)} placeholder="sk_live_… or rk_live_…" {...invalidProps('psp-secret-key-problem', p.secretKey)} />
              <p className="hint">Stored encrypted; never shown again, here or anywhere.</p>
              <FieldProblem id="psp-secret-key-problem" problem={p.secretKey} />
            </div>
            <div className="field">
              <label htmlFor="psp-publishable-key">Publishable key</label>
              <input id="psp-publishable-key" autoComplete="off" value={publishableKey} onChange={(e) => setPublishableKey(e.target.value)} placeholder="pk_live_…" {...invalidProps('psp-publishable-key-problem', p.publishableKey)} />
              <FieldProblem id="psp-publishable-key-problem" problem={p.publishableKey} />
            </div>
            <div className="field">
              <label htmlFor="psp-webhook-secret">Stripe webhook signing secret (optional)</label>
              <input id="psp-webhook-secret" type="password" autoComplete="off" value={webhookSecret} onChange={(e) => setWebhookSecret(e.target.value)} placeholder="whsec_…" {...invalidProps('psp-webhook-secret-problem', p.webhookSecret)} />
              <FieldProblem id="psp-webhook-secret-problem" problem={p.webhookSecret} />
            </div>
          </>
        ) : (
          <p className="hint">The sandbox takes test cards only; it replaces any Stripe connection.</p>
        )}
        <button type="submit" className="button" disabled={fetching || (provider === 'STRIPE' && !secretKey.trim())}>
          {fetching ? 'Saving…' : connected ? 'Replace connection' : 'Connect'}
        </button>
        <FormProblems problems={problemsElsewhere(problems, fields)} />
        {saved ? <p className="notice" role="status">{saved === 'STRIPE' ? 'Saved. The secret key is stored and will not be shown.' : 'Saved. The sandbox takes test cards only.'}</p> : null}
      </fieldset>
    </form>
  );
}

export function PspConnection({ merchantId, canWrite }: { merchantId: string; canWrite: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalPaymentConnectionDocument, variables: { merchantId } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const connector = data?.merchant?.paymentConnector;
  return (
    <>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading the PSP connection…" /> : null}
      {data && !connector ? <Empty title="No PSP connected">{canWrite ? 'Connect one below to take payments.' : 'An owner or a developer can connect one.'}</Empty> : null}
      {connector ? (
        <dl className="tiles" aria-label="PSP connection">
          <div className="tile"><dt>PSP</dt><dd>{connector.provider === 'STRIPE' ? 'Stripe' : 'Handoff sandbox'}</dd></div>
          <div className="tile"><dt>Mode</dt><dd>{connectionMode(connector.provider, connector.publishableKey)}</dd></div>
          <div className="tile"><dt>Publishable key</dt><dd>{connector.publishableKey ? <code>{connector.publishableKey}</code> : '—'}</dd></div>
          <div className="tile"><dt>Secret key</dt><dd>{connector.provider === 'STRIPE' ? 'On file (never shown)' : 'Not needed'}</dd></div>
          <div className="tile"><dt>Webhook secret</dt><dd>{connector.hasWebhookSecret ? 'On file' : 'None'}</dd></div>
          <div className="tile"><dt>Connected</dt><dd>{formatWhen(connector.connectedAt)} · {connector.status}</dd></div>
        </dl>
      ) : null}
      {canWrite && data ? <ConnectForm merchantId={merchantId} connected={!!connector} onDone={refresh} /> : null}
    </>
  );
}
