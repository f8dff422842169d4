// Developers: API keys (owners), webhook endpoints with their delivery logs and replays, and the
// PSP connection. What a role may do mirrors the gateway (docs/portal-auth.md): an owner
// everything; a developer webhooks and the PSP but not API keys; an analyst reads only. The
// gateway refuses the rest anyway (ROLE_FORBIDDEN).
import { useUser, useCanWrite } from '../../session/session';
import { ApiKeys } from './api-keys';
import { PspConnection } from './psp';
import { WebhookEndpoints } from './webhooks';
import '../../ui/forms.css';

export default function DevelopersPage() {
  const user = useUser();
  const canWrite = useCanWrite();
  return (
    <>
      <div className="page-header">
        <h1>Developers</h1>
        {!canWrite ? <p className="notice">You can read everything here; an owner or a developer makes changes.</p> : null}
      </div>
      <section aria-labelledby="dev-api-keys" className="panel">
        <h2 id="dev-api-keys">API keys</h2>
        <p className="muted">Keys are for machines: your servers call Handoff with them. People sign in here instead.</p>
        <ApiKeys canManage={user.role === 'OWNER'} />
      </section>
      <section aria-labelledby="dev-webhooks" className="panel">
        <h2 id="dev-webhooks">Webhook endpoints</h2>
        <WebhookEndpoints canWrite={canWrite} />
      </section>
      <section aria-labelledby="dev-psp" className="panel">
        <h2 id="dev-psp">PSP connection</h2>
        <PspConnection merchantId={user.merchantId} canWrite={canWrite} />
      </section>
    </>
  );
}
