// API keys (owners only: the gateway refuses apiKeys, createApiKey and revokeApiKey to developers
// and analysts with ROLE_FORBIDDEN, so other roles are told so instead of shown an error). A new
// key is shown once; revoking asks to confirm.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalApiKeysDocument, PortalCreateApiKeyDocument, PortalRevokeApiKeyDocument } from '../../generated/graphql';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { ConfirmButton, SecretOnce, formatWhen, newIdempotencyKey } from '../../ui/secrets';
import { FieldProblem, FormProblems, invalidProps, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';

const PAGE_SIZE = 20;

function CreateKey({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [created, setCreated] = useState<{ key: string; prefix: string }>();
  const [attempt, setAttempt] = useState(newIdempotencyKey);
  const [{ fetching }, create] = useMutation(PortalCreateApiKeyDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await create({ input: { role: 'MERCHANT', name: name.trim() || undefined }, idempotencyKey: attempt });
    if (result.error || !result.data) return setProblems(serverProblems(result.error));
    setProblems([]);
    setCreated({ key: result.data.createApiKey.key, prefix: result.data.createApiKey.apiKey.prefix });
    setName('');
    setAttempt(newIdempotencyKey());
    onCreated();
  }
  if (created) {
    return (
      <SecretOnce label="New API key" secret={created.key} onDismiss={() => setCreated(undefined)}>
        <p className="muted">
          Send it as <code>Authorization: Bearer …</code> to <code>/graphql</code> or the REST API. It is listed as <code>{created.prefix}</code>.
        </p>
      </SecretOnce>
    );
  }
  const nameProblem = problemAt(problems, 'name');
  return (
    <form onSubmit={submit} aria-label="Create an API key" className="action-form inline-form">
      <div className="field">
        <label htmlFor="api-key-role">Role</label>
        <select id="api-key-role" value="MERCHANT" disabled aria-describedby="api-key-role-hint">
          <option value="MERCHANT">Merchant</option>
        </select>
        <p id="api-key-role-hint" className="hint">
          Acts for this merchant on the whole merchant API (the only role an owner may issue).
        </p>
      </div>
      <div className="field">
        <label htmlFor="api-key-name">Name (optional)</label>
        <input id="api-key-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder="e.g. Order service" {...invalidProps('api-key-name-problem', nameProblem)} />
        <FieldProblem id="api-key-name-problem" problem={nameProblem} />
      </div>
      <button type="submit" className="button" disabled={fetching}>
        {fetching ? 'Creating…' : 'Create API key'}
      </button>
      <FormProblems problems={problemsElsewhere(problems, ['name'])} />
    </form>
  );
}

export function ApiKeys({ canManage }: { canManage: boolean }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalApiKeysDocument, variables: { first: PAGE_SIZE, after: pages.after }, pause: !canManage });
  const [, revoke] = useMutation(PortalRevokeApiKeyDocument);
  const [problem, setProblem] = useState<string>();
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  if (!canManage) {
    return <p className="muted">Only an owner creates, sees and revokes API keys. Ask an owner of this merchant.</p>;
  }
  const keys = data?.apiKeys;
  return (
    <>
      <CreateKey onCreated={() => (pages.page === 1 ? refresh() : pages.reset())} />
      {error && !keys ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!keys && fetching ? <Loading label="Loading API keys…" /> : null}
      {keys && keys.edges.length === 0 ? <Empty title="No API keys yet">Create one for each system that calls Handoff.</Empty> : null}
      {keys && keys.edges.length > 0 ? (
        <table className="table" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Prefix</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {keys.edges.map(({ node: k }) => (
              <tr key={k.id} data-api-key-id={k.id}>
                <td><code>{k.prefix}…</code></td>
                <td>{k.name ?? '—'}</td>
                <td>{k.role === 'MERCHANT' ? 'Merchant' : k.role}</td>
                <td>{formatWhen(k.createdAt)}</td>
                <td>{k.lastUsedAt ? formatWhen(k.lastUsedAt) : 'Never'}</td>
                <td>{k.revokedAt ? <span className="badge badge-canceled">Revoked {formatWhen(k.revokedAt)}</span> : <span className="badge badge-succeeded">Active</span>}</td>
                <td>
                  {k.revokedAt ? null : (
                    <ConfirmButton
                      label="Revoke"
                      question={`Revoke ${k.prefix}…? Calls with it are refused from now on.`}
                      confirmLabel="Yes, revoke"
                      onConfirm={async () => {
                        const r = await revoke({ id: k.id });
                        setProblem(r.error ? errorMessage(r.error) ?? 'The key could not be revoked' : undefined);
                        refresh();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
      {keys ? <Pagination pages={pages} pageInfo={keys.pageInfo} totalCount={keys.totalCount} label="API keys" disabled={fetching} /> : null}
    </>
  );
}
