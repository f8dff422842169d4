// Pending invitations (owners only): who was invited, as what, when, and until when the link works;
// an owner withdraws one (confirmed) and its link stops working at once. An invitation accepted or
// expired meanwhile is refused INVITATION_NOT_FOUND, shown in its row, and the list is read again.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalMerchantUserInvitationsDocument, PortalWithdrawInvitationDocument, type PortalMerchantUserInvitationsQuery } from '../../generated/graphql';
import { ROLE_LABELS } from '../../session/session';
import { ConfirmButton, formatWhen } from '../../ui/secrets';
import { FormProblems, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { ErrorState, Loading, errorMessage } from '../../ui/states';

type Invitation = PortalMerchantUserInvitationsQuery['merchantUserInvitations'][number];

function InvitationRow({ invitation, onChanged }: { invitation: Invitation; onChanged(): void }) {
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [, withdraw] = useMutation(PortalWithdrawInvitationDocument);
  return (
    <tr data-invitation-email={invitation.email}>
      <td>{invitation.email}</td>
      <td>{ROLE_LABELS[invitation.role]}</td>
      <td>{formatWhen(invitation.createdAt)}</td>
      <td>{formatWhen(invitation.expiresAt)}</td>
      <td>
        <ConfirmButton
          label="Withdraw"
          question={`Withdraw the invitation of ${invitation.email}? Its link stops working now.`}
          confirmLabel="Yes, withdraw"
          onConfirm={async () => {
            const r = await withdraw({ id: invitation.id });
            setProblems(serverProblems(r.error));
            if (!r.error) onChanged();
          }}
        />
        <FormProblems problems={problems} />
      </td>
    </tr>
  );
}

/** Read from the server when shown (the Team page remounts it after an invitation is made). */
export function PendingInvitations() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalMerchantUserInvitationsDocument, requestPolicy: 'network-only' });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const invitations = data?.merchantUserInvitations;
  if (error && !invitations) return <ErrorState message={errorMessage(error)} onRetry={refresh} />;
  if (!invitations) return fetching ? <Loading label="Loading invitations…" /> : null;
  if (invitations.length === 0) return <p className="muted" data-testid="no-invitations">No invitation is waiting to be accepted.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Pending invitations, scrollable">
      <table className="table" aria-label="Pending invitations">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Invited</th>
            <th scope="col">Link expires</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((i) => (
            <InvitationRow key={i.id} invitation={i} onChanged={refresh} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
