// Team (owners): who can sign in to this merchant's portal, invitations by one-time link (no mail
// server is assumed: the owner hands the link over) listed while pending and withdrawable, role
// changes and removals. Other roles see
// why there is nothing to manage here; the gateway refuses them anyway (ROLE_FORBIDDEN). Every
// user's own sessions are on the Your sessions page (pages/account).
import { useState } from 'react';
import { Link } from 'react-router';
import { useUser } from '../../session/session';
import { Empty } from '../../ui/states';
import { PendingInvitations } from './invitations';
import { InviteUser } from './invite';
import { TeamUsers } from './users';
import '../../ui/forms.css';
import './team.css';

export default function TeamPage() {
  const user = useUser();
  const [invited, setInvited] = useState(0);
  if (user.role !== 'OWNER') {
    return (
      <>
        <div className="page-header">
          <h1>Team</h1>
        </div>
        <Empty title="Only an owner manages the team">
          <p>Ask an owner of {user.merchantName || 'your merchant'} to invite someone, change a role or remove a user.</p>
          <p>
            Your own sessions are on <Link to="/account">Your sessions</Link>.
          </p>
        </Empty>
      </>
    );
  }
  return (
    <>
      <div className="page-header">
        <h1>Team</h1>
        <p className="muted">People sign in here with their own email and password; machines use API keys (Developers).</p>
      </div>
      <section aria-labelledby="team-invite" className="panel">
        <h2 id="team-invite">Invite someone</h2>
        <p className="muted">The link is shown once, works once and expires after 7 days. Until it is used you can withdraw it below.</p>
        <InviteUser onInvited={() => setInvited((n) => n + 1)} />
      </section>
      <section aria-labelledby="team-invitations" className="panel">
        <h2 id="team-invitations">Pending invitations</h2>
        <PendingInvitations key={invited} />
      </section>
      <section aria-labelledby="team-users" className="panel">
        <h2 id="team-users">Users</h2>
        <TeamUsers />
      </section>
    </>
  );
}
