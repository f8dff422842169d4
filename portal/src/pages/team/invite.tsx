// Inviting someone: an email and a role make a one-time link (no mail server is assumed: the
// owner hands it over), shown once with a copy button and its expiry. The server's refusals
// (MERCHANT_USER_EXISTS, BAD_USER_INPUT for the email) show beside the field they name.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { Role } from '../../api/accounts';
import { PortalInviteMerchantUserDocument } from '../../generated/graphql';
import { ROLE_LABELS } from '../../session/session';
import { SelectField, TextField } from '../../ui/field';
import { SecretOnce, formatWhen } from '../../ui/secrets';
import { FormProblems, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { ROLE_CHOICES } from './team-logic';

interface Issued {
  acceptUrl: string;
  email: string;
  role: Role;
  expiresAt: string;
}

export function InviteUser({ onInvited }: { onInvited?(): void } = {}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('DEVELOPER');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [issued, setIssued] = useState<Issued>();
  const [{ fetching }, invite] = useMutation(PortalInviteMerchantUserDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await invite({ input: { email: email.trim(), role } });
    if (result.error || !result.data) return setProblems(serverProblems(result.error));
    const { acceptUrl, invitation } = result.data.inviteMerchantUser;
    setProblems([]);
    setIssued({ acceptUrl, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt });
    setEmail('');
    onInvited?.();
  }

  if (issued) {
    return (
      <SecretOnce label={`Invitation link for ${issued.email}`} secret={issued.acceptUrl} onDismiss={() => setIssued(undefined)}>
        <p data-testid="invitation-summary">
          For <strong>{issued.email}</strong> as {ROLE_LABELS[issued.role]}. It works once and expires <strong>{formatWhen(issued.expiresAt)}</strong>.
        </p>
        <p className="muted">Handoff sends no email: give the link to them yourself. Opening it lets them choose a name and a password.</p>
      </SecretOnce>
    );
  }
  return (
    <form onSubmit={submit} aria-label="Invite someone" className="action-form inline-form" noValidate>
      <TextField id="invite-email" label="Email" value={email} onChange={setEmail} problem={problemAt(problems, 'email')} required placeholder="name@example.com" />
      <SelectField<Role> id="invite-role" label="Role" value={role} onChange={setRole} problem={problemAt(problems, 'role')} options={ROLE_CHOICES} />
      <button type="submit" className="button" disabled={fetching || !email.trim()}>
        {fetching ? 'Creating the link…' : 'Create invitation link'}
      </button>
      <FormProblems problems={problemsElsewhere(problems, ['email', 'role'])} />
    </form>
  );
}
