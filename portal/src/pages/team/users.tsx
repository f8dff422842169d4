// The merchant's users (owners only): email, name, role, when added; an owner changes a role or
// removes a user (confirmed: their sessions end at once). The server keeps at least one owner
// (LAST_OWNER), shown in the row it refused, as every other refusal.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { Role } from '../../api/accounts';
import { PortalChangeMerchantUserRoleDocument, PortalMerchantUsersDocument, PortalRemoveMerchantUserDocument, type PortalMerchantUsersQuery } from '../../generated/graphql';
import { ROLE_LABELS, useSession, useUser } from '../../session/session';
import { ConfirmButton, formatWhen } from '../../ui/secrets';
import { FormProblems, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { ROLE_CHOICES, ownerCount } from './team-logic';

type TeamUser = PortalMerchantUsersQuery['merchantUsers'][number];

function UserRow({ user, onChanged }: { user: TeamUser; onChanged(): void }) {
  const me = useUser();
  const { retry } = useSession();
  const [role, setRole] = useState<Role>(user.role);
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [{ fetching: changing }, change] = useMutation(PortalChangeMerchantUserRoleDocument);
  const [, remove] = useMutation(PortalRemoveMerchantUserDocument);
  const itsMe = user.id === me.id;
  const who = itsMe ? `${user.email} (you)` : user.email;

  async function changeRole() {
    const r = await change({ id: user.id, role });
    setProblems(serverProblems(r.error));
    if (r.error) return setRole(user.role);
    // A changed role of the signed-in user changes what the portal offers: read the session again.
    if (itsMe) retry();
    else onChanged();
  }

  return (
    <tr data-user-email={user.email}>
      <td>{who}</td>
      <td>{user.name || '—'}</td>
      <td>
        <div className="team-role-row">
          <label className="visually-hidden" htmlFor={`role-${user.id}`}>
            Role of {user.email}
          </label>
          <select id={`role-${user.id}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLE_CHOICES.map(([value]) => (
              <option key={value} value={value}>
                {ROLE_LABELS[value]}
              </option>
            ))}
          </select>
          <button type="button" className="button button-secondary" disabled={changing || role === user.role} onClick={changeRole} aria-label={`Change the role of ${user.email}`}>
            {changing ? 'Changing…' : 'Change role'}
          </button>
        </div>
        <FormProblems problems={problems} />
      </td>
      <td>{formatWhen(user.createdAt)}</td>
      <td>
        <ConfirmButton
          label="Remove"
          question={`Remove ${who}? Their sessions end now and they can no longer sign in.`}
          confirmLabel="Yes, remove"
          onConfirm={async () => {
            const r = await remove({ id: user.id });
            setProblems(serverProblems(r.error));
            if (!r.error) onChanged();
          }}
        />
      </td>
    </tr>
  );
}

export function TeamUsers() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalMerchantUsersDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const users = data?.merchantUsers;
  if (error && !users) return <ErrorState message={errorMessage(error)} onRetry={refresh} />;
  if (!users) return fetching ? <Loading label="Loading the team…" /> : null;
  if (users.length === 0) return <Empty title="No users yet">Invite someone above.</Empty>;
  const owners = ownerCount(users);
  return (
    <>
      <p className="muted" data-testid="team-count">
        {users.length} user(s), {owners} owner(s). The merchant keeps at least one owner.
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Users, scrollable">
        <table className="table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              // Keyed by role too: a row read again after a change starts from the stored role.
              <UserRow key={`${u.id}:${u.role}`} user={u} onChanged={refresh} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
