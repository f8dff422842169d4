// The portal's Team and Your sessions pages in Chromium (issue 23). An owner invites a developer
// through the page (an existing email and a non-email are refused inline), the one-time link it
// shows is accepted in a second browser and the new user is listed; another invitation is listed
// while pending and withdrawn, and its link is then refused; the owner makes the developer an
// analyst (read back through GraphQL); demoting or removing the last owner shows LAST_OWNER. The
// new user, signed in twice, sees both sessions and revokes the other one, whose browser lands on
// the sign-in page at its next navigation; signing out from the list ends only that session. An
// analyst has no Team management and the server refuses its forged calls (ROLE_FORBIDDEN).
// Removing the user ends its session: its next navigation lands on the sign-in page.
// Each screenshot's state is checked with axe-core too. Screenshots: test/artifacts/portal-team/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { invitedUser, PortalBrowsers } from '../support/portal-browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-team/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const USERS = `query { merchantUsers { email name role } }`;
const SESSIONS = `query { portalSessions { id current } }`;
/** Each step waits on conditions only; this bounds a step on a machine shared by many test runs. */
const STEP_TIMEOUT = 240_000;
const WAIT = { timeout: 45_000 };

interface Answer {
  status: number;
  body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** A GraphQL call made by the page itself with its session cookie and CSRF token (what a forged call looks like). */
async function gqlFrom(p: Page, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  return p.evaluate(
    async ({ query, variables }) => {
      const session = (await (await fetch('/portal/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ query, variables }),
      });
      return { status: r.status, body: (await r.json()) as Answer['body'] };
    },
    { query, variables },
  );
}

describe('Team and Your sessions in Chromium', () => {
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let merchantId: string;
  let base: string;
  let owner: Page;
  /** The invited developer's first browser (the invitation page) and its second sign-in. */
  let dev: Page;
  let dev2: Page;
  const portal = new PortalBrowsers(ARTIFACTS);
  const { problems, expected, inaccessible } = portal;
  const shot = (p: Page, name: string) => portal.shot(p, name);
  const row = (p: Page, email: string) => p.locator(`tr[data-user-email="${email}"]`);
  const sessionRows = (p: Page) => p.getByRole('table', { name: 'Sessions' }).locator('tbody tr');
  const onLoginPage = async (p: Page) => {
    await p.getByRole('heading', { name: 'Sign in to Handoff', level: 1 }).waitFor(WAIT);
    expect(new URL(p.url()).pathname).toBe('/portal/login');
  };
  const navigate = (p: Page, label: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    scratch = await migratedDatabase('portal_team');
    handoff = await startTestHandoff({ databaseUrl: scratch.url });
    base = handoff.gatewayUrl;
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Teamwork Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id;
    await invitedUser(admin, base, { email: 'owner@team.example', role: 'OWNER', merchantId, password: PASSWORD });
    await invitedUser(admin, base, { email: 'analyst@team.example', role: 'ANALYST', merchantId, password: PASSWORD });
    owner = await portal.signIn(base, { email: 'owner@team.example', password: PASSWORD }, 'owner', { next: '/team', heading: 'Team' });
    await row(owner, 'owner@team.example').waitFor(WAIT);
  }, 180_000);

  afterAll(async () => {
    await portal.close();
    await handoff?.stop();
    await scratch?.drop();
  });

  it('an owner invites a developer; the link shown once is accepted in a second browser and the user is listed', async () => {
    const form = owner.getByRole('form', { name: 'Invite someone' });
    // Refused inline, beside the email: not an email, then someone who is already a user.
    expected.add('owner 400 POST /graphql');
    expected.add('owner 409 POST /graphql');
    await form.getByLabel('Email').fill('not-an-email');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    await owner.locator('#invite-email-problem[data-error-code="BAD_USER_INPUT"]').waitFor(WAIT);
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Email').fill('Analyst@Team.example');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    await owner.locator('#invite-email-problem[data-error-code="MERCHANT_USER_EXISTS"]').waitFor(WAIT);
    await shot(owner, '10-invite-refused-inline');

    // Keyboard: the role select and Enter in the email field.
    await form.getByLabel('Role').selectOption('DEVELOPER');
    await form.getByLabel('Email').fill('dev@team.example');
    await form.getByLabel('Email').press('Enter');
    const shown = owner.getByRole('region', { name: 'Invitation link for dev@team.example, shown once' });
    await shown.waitFor(WAIT);
    const acceptUrl = await shown.getByLabel('Invitation link for dev@team.example').inputValue();
    const link = new URL(acceptUrl);
    expect(link.pathname).toMatch(/^\/portal\/invitations\/[^/]{20,}$/);
    expect(await owner.getByTestId('invitation-summary').innerText()).toMatch(/^For dev@team\.example as Developer\. It works once and expires .*\d/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText(/^(Copied to the clipboard\.|Copying is not allowed here: select the text and copy it\.)$/).waitFor(WAIT);
    await shot(owner, '20-invitation-link-shown-once');
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await form.waitFor(WAIT);
    expect(await owner.locator('input.secret-value').count()).toBe(0);

    dev = await portal.newPage('developer');
    await dev.goto(`${base}${link.pathname}`);
    await dev.getByRole('heading', { name: 'Join Teamwork Ltd on Handoff', level: 1 }).waitFor(WAIT);
    await dev.getByLabel('Your name').fill('Dana Dev');
    await dev.getByLabel('Choose a password').fill(PASSWORD);
    await dev.getByRole('button', { name: 'Join' }).click();
    await dev.getByRole('heading', { name: 'Live', level: 1 }).waitFor(WAIT);
    // A developer has no Team link; Your sessions is for everyone.
    const devNav = dev.getByRole('navigation', { name: 'Main' });
    await devNav.getByRole('link', { name: 'Your sessions' }).waitFor(WAIT);
    expect(await devNav.getByRole('link', { name: 'Team' }).count()).toBe(0);
    // Off the Live page (its WebSocket would notice a revoked session by itself within 15 s).
    await navigate(dev, 'Your sessions');
    await dev.getByRole('heading', { name: 'Your sessions', level: 1 }).waitFor(WAIT);

    await owner.reload();
    await row(owner, 'dev@team.example').waitFor(WAIT);
    expect(await row(owner, 'dev@team.example').innerText()).toContain('Dana Dev');
    expect(await row(owner, 'dev@team.example').getByLabel('Role of dev@team.example', { exact: true }).inputValue()).toBe('DEVELOPER');
    // Accepted, it is no longer pending.
    await owner.getByTestId('no-invitations').waitFor(WAIT);
    await shot(owner, '30-team-with-developer');
  }, STEP_TIMEOUT);

  it('a pending invitation is listed; withdrawn (confirmed), it leaves the list and its link no longer works', async () => {
    const form = owner.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Role').selectOption('ANALYST');
    await form.getByLabel('Email').fill('temp@team.example');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    const shown = owner.getByRole('region', { name: 'Invitation link for temp@team.example, shown once' });
    await shown.waitFor(WAIT);
    const link = new URL(await shown.getByLabel('Invitation link for temp@team.example').inputValue());
    const pending = owner.locator('tr[data-invitation-email="temp@team.example"]');
    await pending.waitFor(WAIT);
    expect(await pending.innerText()).toContain('Analyst');
    await shot(owner, '35-invitation-pending');
    await shown.getByRole('button', { name: 'I have stored it' }).click();

    await pending.getByRole('button', { name: 'Withdraw' }).click();
    await pending.getByRole('button', { name: 'Yes, withdraw' }).click();
    await owner.getByTestId('no-invitations').waitFor(WAIT);
    expect((await gqlFrom(owner, `query { merchantUserInvitations { email } }`)).body.data.merchantUserInvitations).toEqual([]);

    // The link now says it cannot be used (the server answers 404 INVITATION_INVALID).
    const late = await portal.newPage('late');
    expected.add(`late 404 GET /portal/api/invitations/${link.pathname.split('/').pop()}`);
    await late.goto(`${base}${link.pathname}`);
    await late.getByRole('heading', { name: 'This invitation cannot be used', level: 1 }).waitFor(WAIT);
  }, STEP_TIMEOUT);

  it('the owner makes the developer an analyst (read back through GraphQL)', async () => {
    const r = row(owner, 'dev@team.example');
    await r.getByLabel('Role of dev@team.example', { exact: true }).selectOption('ANALYST');
    await r.getByRole('button', { name: 'Change the role of dev@team.example' }).click();
    await expect.poll(async () => (await gqlFrom(owner, USERS)).body.data?.merchantUsers.find((u: { email: string }) => u.email === 'dev@team.example')?.role, WAIT).toBe('ANALYST');
    await expect.poll(() => row(owner, 'dev@team.example').getByRole('button', { name: 'Change the role of dev@team.example' }).isDisabled(), WAIT).toBe(true);
    expect(await row(owner, 'dev@team.example').getByLabel('Role of dev@team.example', { exact: true }).inputValue()).toBe('ANALYST');
  }, STEP_TIMEOUT);

  it('demoting or removing the last owner shows LAST_OWNER in its row, nothing changed', async () => {
    expected.add('owner 409 POST /graphql');
    const r = row(owner, 'owner@team.example');
    await r.getByLabel('Role of owner@team.example', { exact: true }).selectOption('DEVELOPER');
    await r.getByRole('button', { name: 'Change the role of owner@team.example' }).click();
    await r.locator('[data-error-code="LAST_OWNER"]').waitFor(WAIT);
    expect(await r.getByLabel('Role of owner@team.example', { exact: true }).inputValue()).toBe('OWNER');

    await r.getByRole('button', { name: 'Remove' }).click();
    await r.getByRole('button', { name: 'Yes, remove' }).click();
    await r.getByRole('alert').filter({ hasText: 'LAST_OWNER' }).waitFor(WAIT);
    await shot(owner, '40-last-owner-refused');
    const users = (await gqlFrom(owner, USERS)).body.data.merchantUsers as Array<{ email: string; role: string }>;
    expect(users.map((u) => [u.email, u.role]).sort()).toEqual([
      ['analyst@team.example', 'ANALYST'],
      ['dev@team.example', 'ANALYST'],
      ['owner@team.example', 'OWNER'],
    ]);
  }, STEP_TIMEOUT);

  it('signed in twice, the user sees both sessions and revokes the other one: that browser lands on the sign-in page', async () => {
    dev2 = await portal.signIn(base, { email: 'dev@team.example', password: PASSWORD }, 'developer-2', { next: '/account', heading: 'Your sessions' });
    await expect.poll(() => sessionRows(dev2).count(), WAIT).toBe(2);
    const current = dev2.locator('tr[data-current="true"]');
    expect(await current.count()).toBe(1);
    expect(await current.innerText()).toContain('This session');
    expect(await current.innerText()).toMatch(/Chrome/);
    expect(await sessionRows(dev2).first().getAttribute('data-current')).toBe('true');
    await shot(dev2, '50-two-sessions');

    const other = dev2.locator('tbody tr:not([data-current])');
    const otherId = await other.getAttribute('data-session-id');
    await other.getByRole('button', { name: 'Revoke' }).click();
    await other.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => sessionRows(dev2).count(), WAIT).toBe(1);
    const left = (await gqlFrom(dev2, SESSIONS)).body.data.portalSessions as Array<{ id: string; current: boolean }>;
    expect(left).toHaveLength(1);
    expect(left[0]!.current).toBe(true);
    expect(left[0]!.id).not.toBe(otherId);

    expected.add('developer 401 POST /graphql');
    await navigate(dev, 'Overview');
    await onLoginPage(dev);
  }, STEP_TIMEOUT);

  it('an analyst has no Team management and the server refuses its forged calls; signing out from the list ends only that session', async () => {
    // dev@ is an analyst now (signed in after the change).
    const nav = dev2.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Team' }).count()).toBe(0);
    await dev2.goto(`${base}/portal/team`);
    await dev2.getByRole('heading', { name: 'Team', level: 1 }).waitFor(WAIT);
    await dev2.getByText('Only an owner manages the team').waitFor(WAIT);
    expect(await dev2.getByRole('form', { name: 'Invite someone' }).count()).toBe(0);
    expect(await dev2.getByRole('table', { name: 'Users' }).count()).toBe(0);
    await shot(dev2, '60-analyst-team');

    expected.add('developer-2 403 POST /graphql');
    const list = await gqlFrom(dev2, USERS);
    expect(list.status).toBe(403);
    expect(list.body.errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    const invite = await gqlFrom(dev2, `mutation { inviteMerchantUser(input: { email: "sneaky@team.example", role: OWNER }) { acceptUrl } }`);
    expect(invite.status).toBe(403);
    expect(invite.body.errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    expect(JSON.stringify(invite.body)).not.toContain('/portal/invitations/');

    // The first browser (on the sign-in page since its session was revoked) signs in again, then
    // signs itself out from the list: only that session ends.
    await dev.getByLabel('Email').fill('dev@team.example');
    await dev.getByLabel('Password').fill(PASSWORD);
    await dev.getByRole('button', { name: 'Sign in' }).click();
    await dev.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(WAIT); // where it was going
    await navigate(dev, 'Your sessions');
    await dev.getByRole('heading', { name: 'Your sessions', level: 1 }).waitFor(WAIT);
    await expect.poll(() => sessionRows(dev).count(), WAIT).toBe(2);
    const mine = dev.locator('tr[data-current="true"]');
    await mine.getByRole('button', { name: 'Sign out' }).click();
    await mine.getByRole('button', { name: 'Yes, sign out' }).click();
    await onLoginPage(dev);
    expect((await dev.evaluate(async () => (await fetch('/portal/api/session')).status))).toBe(401);
    await dev2.goto(`${base}/portal/account`);
    await expect.poll(() => sessionRows(dev2).count(), WAIT).toBe(1);
  }, STEP_TIMEOUT);

  it("removing the user (confirmed) ends its session: its next navigation lands on the sign-in page", async () => {
    await owner.reload();
    const r = row(owner, 'dev@team.example');
    await r.waitFor(WAIT);
    await r.getByRole('button', { name: 'Remove' }).click();
    await r.getByRole('group', { name: /^Remove dev@team\.example\?/ }).waitFor(WAIT);
    await shot(owner, '70-remove-confirm');
    await r.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => row(owner, 'dev@team.example').count(), WAIT).toBe(0);
    const users = (await gqlFrom(owner, USERS)).body.data.merchantUsers as Array<{ email: string }>;
    expect(users.map((u) => u.email).sort()).toEqual(['analyst@team.example', 'owner@team.example']);

    expected.add('developer-2 401 POST /graphql');
    await navigate(dev2, 'Overview');
    await onLoginPage(dev2);
    expect((await dev2.evaluate(async () => (await fetch('/portal/api/session')).status))).toBe(401);
  }, STEP_TIMEOUT);

  it('raised no script error, no unexpected failed request, and no serious accessibility violation in any state shown', () => {
    expect(problems).toEqual([]);
    expect(inaccessible).toEqual([]);
  });
});
