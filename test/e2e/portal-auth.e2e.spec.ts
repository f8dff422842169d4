// The merchant portal's accounts through the gateway (issue 23 item 2, docs/portal-auth.md): an
// admin invites a merchant's first owner, who accepts the one-time link and signs in; the cookie
// (HttpOnly, SameSite=Strict, Path=/, Secure only over TLS) acts as the merchant on /graphql only
// with the session's X-CSRF-Token; logout and revoke end it at once; another tenant's session sees
// nothing of this merchant (no checkout session or payment by its id, no cancel; its cookie with
// this merchant's CSRF token is CSRF_INVALID); an analyst runs no mutation and a developer manages no keys; a wrong
// password and an unknown email get the same answer; the 6th attempt is throttled; expired and
// reused invitations are refused.
import type { RunningHandoff } from '@handoff/launcher';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDemoData } from '@handoff/launcher/demo-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { waitFor } from './sweep/tenants.js';

let handoff: RunningHandoff;
let admin: GqlClient;
let db: pg.Client;
let base: string;

const PASSWORD = 'correct horse battery';
const MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const INVITE = `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { invitation { id email role expiresAt } acceptUrl } }`;
const OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;

interface Session {
  cookie: string;
  csrf: string;
  user: { id: string; email: string; name: string; role: string; merchantId: string; merchantName: string };
  setCookie: string;
}

async function json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

function sessionOf(r: Awaited<ReturnType<typeof json>>): Session {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const setCookie = r.headers.get('set-cookie')!;
  const cookie = /^(handoff_session=hps_[A-Za-z0-9_-]+);/.exec(setCookie)![1]!;
  return { cookie, csrf: r.body.csrfToken, user: r.body.user, setCookie };
}

const tokenOf = (acceptUrl: string) => new URL(acceptUrl).pathname.split('/').pop()!;

async function newMerchant(name: string): Promise<string> {
  return (await admin.ok(MERCHANT, {
    input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
  })).createMerchant.id;
}

/** An admin invites, the invitee accepts: a signed-in user of `merchantId`. */
async function userOf(merchantId: string, email: string, role: string, client = admin): Promise<Session> {
  const invited = (await client.ok(INVITE, { input: { email, role, ...(client === admin ? { merchantId } : {}) } })).inviteMerchantUser;
  return sessionOf(await json('POST', `/portal/api/invitations/${tokenOf(invited.acceptUrl)}/accept`, { name: `${role} person`, password: PASSWORD }));
}

/** GraphQL as a portal session: the cookie, and the CSRF token unless told otherwise. */
const gql = (s: Session, csrf: string | null = s.csrf) => new GqlClient(`${base}/graphql`, undefined, { cookie: s.cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) });

let merchantA: string;
let merchantB: string;
let owner: Session;

beforeAll(async () => {
  // The test's requests come from loopback: trusted as a proxy, their X-Forwarded-For names the client.
  handoff = await startTestHandoff({ extraEnv: { TRUST_PROXY: 'loopback' } });
  base = handoff.gatewayUrl;
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  db = new pg.Client({ connectionString: handoff.env.DATABASE_URL });
  await db.connect();
  merchantA = await newMerchant('Portal A');
  merchantB = await newMerchant('Portal B');
  owner = await userOf(merchantA, `Owner-${merchantA}@Example.com`, 'OWNER');
}, 120_000);

afterAll(async () => {
  await db?.end();
  await handoff?.stop();
});

describe('sign-in, the cookie and CSRF', () => {
  it('accepting an invitation signs the owner in with a strict, HttpOnly cookie (not Secure over plain http, Secure behind https)', async () => {
    expect(owner.user).toMatchObject({ email: `owner-${merchantA}@example.com`.toLowerCase(), role: 'OWNER', merchantId: merchantA, merchantName: 'Portal A' });
    expect(owner.setCookie).toMatch(/HttpOnly/);
    expect(owner.setCookie).toMatch(/SameSite=Strict/);
    expect(owner.setCookie).toMatch(/Path=\//);
    expect(owner.setCookie).not.toMatch(/Secure/);
    const tls = await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(tls.status).toBe(200);
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure/);
    // Only the hash of the cookie's token is stored.
    const token = owner.cookie.split('=')[1]!;
    const stored = await db.query(`SELECT count(*)::int AS n FROM merchant.portal_sessions WHERE token_hash = $1 OR token_hash = encode(sha256($1::bytea), 'hex')`, [token]);
    expect(stored.rows[0].n).toBe(1);
    const plain = await db.query(`SELECT count(*)::int AS n FROM merchant.portal_sessions WHERE token_hash = $1`, [token]);
    expect(plain.rows[0].n).toBe(0);
    const hash = await db.query(`SELECT password_hash FROM merchant.merchant_users WHERE id = $1`, [owner.user.id]);
    expect(hash.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('login answers the user and a CSRF token; GET /portal/api/session answers the same user', async () => {
    const s = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email.toUpperCase(), password: PASSWORD }));
    expect(s.user).toEqual(owner.user);
    const again = await json('GET', '/portal/api/session', undefined, { cookie: s.cookie });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ user: owner.user, csrfToken: s.csrf });
    expect((await json('GET', '/portal/api/session')).status).toBe(401);
    expect((await json('GET', '/portal/api/session', undefined, { cookie: 'handoff_session=hps_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).body.code).toBe('UNAUTHENTICATED');
  });

  it('GraphQL with the cookie and its CSRF token acts as the merchant; without it or with a forged one: 403 CSRF_INVALID', async () => {
    const viewer = await gql(owner).ok(`query { viewer { role merchant { id } } viewerUser { id role email } }`);
    expect(viewer).toEqual({ viewer: { role: 'MERCHANT', merchant: { id: merchantA } }, viewerUser: { id: owner.user.id, role: 'OWNER', email: owner.user.email } });
    const offer = await gql(owner).ok(OFFER, { input: { merchantId: merchantA, name: 'Portal plan', provider: 'A', price: { amountMinor: 1000, currency: 'GBP' } } });
    expect(offer.createOffer.id).toBeTruthy();
    for (const csrf of [null, 'forged', `${owner.csrf.slice(0, -1)}${owner.csrf.endsWith('A') ? 'B' : 'A'}`]) {
      const r = await gql(owner, csrf).request(`query { viewer { role } }`);
      expect(r.status, String(csrf)).toBe(403);
      expect(r.errors?.[0]?.extensions?.code).toBe('CSRF_INVALID');
      expect(r.data ?? null).toBeNull();
    }
    // Another session's CSRF token does not fit this one.
    const other = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }));
    const crossed = await gql(owner, other.csrf).request(`query { viewer { role } }`);
    expect(crossed.errors?.[0]?.extensions?.code).toBe('CSRF_INVALID');
  });

  it('logout needs the CSRF token, revokes the session and clears the cookie; the cookie afterwards is 401', async () => {
    const s = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }));
    expect((await json('POST', '/portal/api/logout', undefined, { cookie: s.cookie })).body.code).toBe('CSRF_INVALID');
    const out = await json('POST', '/portal/api/logout', undefined, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^handoff_session=;.*Max-Age=0/);
    const after = await gql(s).request(`query { viewer { role } }`);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await json('GET', '/portal/api/session', undefined, { cookie: s.cookie })).status).toBe(401);
  });
});

describe('wrong passwords and throttling', () => {
  it('a wrong password and an unknown email get the same 401 INVALID_CREDENTIALS message', async () => {
    const wrong = await json('POST', '/portal/api/login', { email: owner.user.email, password: 'not the password' }, { 'x-forwarded-for': 'ignored' });
    const unknown = await json('POST', '/portal/api/login', { email: 'nobody-here@example.com', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'Email or password is incorrect.', code: 'INVALID_CREDENTIALS' });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await json('POST', '/portal/api/login', { email: 1, password: [] })).body.code).toBe('BAD_USER_INPUT');
  });

  it('after 5 failures the 6th attempt is 429 TOO_MANY_ATTEMPTS, even with the right password; other emails are not held', async () => {
    const s = await userOf(merchantA, `throttled-${merchantA}@example.com`, 'DEVELOPER');
    // Five failures sent at once: the count is kept under the key's lock.
    const failures = await Promise.all(Array.from({ length: 5 }, () => json('POST', '/portal/api/login', { email: s.user.email, password: 'wrong password!' })));
    expect(failures.map((f) => f.status)).toEqual([401, 401, 401, 401, 401]);
    const sixth = await json('POST', '/portal/api/login', { email: s.user.email, password: PASSWORD });
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sixth.headers.get('set-cookie')).toBeNull();
    expect((await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD })).status).toBe(200);
  });

  it('behind a trusted proxy (TRUST_PROXY) the throttle keys on the client X-Forwarded-For names, and the session records it', async () => {
    const s = await userOf(merchantA, `proxied-${merchantA}@example.com`, 'DEVELOPER');
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const failures = await Promise.all(Array.from({ length: 5 }, () => json('POST', '/portal/api/login', { email: s.user.email, password: 'wrong password!' }, from('203.0.113.8'))));
    expect(failures.map((f) => f.status)).toEqual([401, 401, 401, 401, 401]);
    expect((await json('POST', '/portal/api/login', { email: s.user.email, password: PASSWORD }, from('203.0.113.8'))).body.code).toBe('TOO_MANY_ATTEMPTS');
    // Another client behind the same proxy is not held.
    const ok = await json('POST', '/portal/api/login', { email: s.user.email, password: PASSWORD }, from('203.0.113.9'));
    expect(ok.status).toBe(200);
    const session = await db.query(`SELECT ip FROM merchant.portal_sessions WHERE user_id = $1 AND ip = '203.0.113.9'`, [s.user.id]);
    expect(session.rows).toHaveLength(1);
  });
});

describe('invitations', () => {
  it('an invitation reads its email, merchant and role; it is used once; a reused link is INVITATION_INVALID', async () => {
    const invited = (await gql(owner).ok(INVITE, { input: { email: `Analyst-${merchantA}@Example.com`, role: 'ANALYST' } })).inviteMerchantUser;
    expect(invited.invitation).toMatchObject({ email: `analyst-${merchantA}@example.com`.toLowerCase(), role: 'ANALYST' });
    expect(new Date(invited.invitation.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    const token = tokenOf(invited.acceptUrl);
    expect((await json('GET', `/portal/api/invitations/${token}`)).body).toEqual({ email: `analyst-${merchantA}@example.com`.toLowerCase(), merchantName: 'Portal A', role: 'ANALYST' });
    const weak = await json('POST', `/portal/api/invitations/${token}/accept`, { name: 'Ann', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('WEAK_PASSWORD');
    // Two accepts at once: one user, one consumed invitation.
    const both = await Promise.all([0, 1].map(() => json('POST', `/portal/api/invitations/${token}/accept`, { name: 'Ann', password: PASSWORD })));
    expect(both.map((b) => b.status).sort()).toEqual([200, 404]);
    expect(both.find((b) => b.status === 404)!.body.code).toBe('INVITATION_INVALID');
    const again = await json('POST', `/portal/api/invitations/${token}/accept`, { name: 'Ann', password: PASSWORD });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('INVITATION_INVALID');
    expect((await json('GET', `/portal/api/invitations/${token}`)).body.code).toBe('INVITATION_INVALID');
    const users = await db.query(`SELECT count(*)::int AS n FROM merchant.merchant_users WHERE email = $1`, [`analyst-${merchantA}@example.com`.toLowerCase()]);
    expect(users.rows[0].n).toBe(1);
  });

  it('an expired invitation is 410 INVITATION_EXPIRED and makes no user', async () => {
    const invited = (await gql(owner).ok(INVITE, { input: { email: `late-${merchantA}@example.com`, role: 'DEVELOPER' } })).inviteMerchantUser;
    await db.query(`UPDATE merchant.merchant_user_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [invited.invitation.id]);
    const token = tokenOf(invited.acceptUrl);
    const read = await json('GET', `/portal/api/invitations/${token}`);
    expect(read.status).toBe(410);
    expect(read.body.code).toBe('INVITATION_EXPIRED');
    const accept = await json('POST', `/portal/api/invitations/${token}/accept`, { name: 'Late', password: PASSWORD });
    expect(accept.status).toBe(410);
    expect(accept.body.code).toBe('INVITATION_EXPIRED');
    expect((await json('GET', '/portal/api/invitations/hpi_not-a-real-token-at-all-000000')).body.code).toBe('INVITATION_INVALID');
    const users = await db.query(`SELECT count(*)::int AS n FROM merchant.merchant_users WHERE email = $1`, [`late-${merchantA}@example.com`.toLowerCase()]);
    expect(users.rows[0].n).toBe(0);
  });
});

describe('roles and tenancy', () => {
  it("another tenant's session reads nothing of this merchant", async () => {
    const ownerB = await userOf(merchantB, `owner-${merchantB}@example.com`, 'OWNER');
    const mine = await gql(ownerB).ok(`query($id: ID!) { merchant(id: $id) { id } viewer { merchant { id } } merchantUsers { id email merchantId } }`, { id: merchantA });
    expect(mine.merchant).toBeNull();
    expect(mine.viewer.merchant.id).toBe(merchantB);
    expect(mine.merchantUsers.map((u: { merchantId: string }) => u.merchantId)).toEqual([merchantB]);
    const foreign = await gql(ownerB).request(`query($m: ID) { merchantUsers(merchantId: $m) { id } }`, { m: merchantA });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // B's owner cannot change A's users or sessions.
    expect((await gql(ownerB).request(`mutation($id: ID!) { removeMerchantUser(id: $id) }`, { id: owner.user.id })).errors?.[0]?.extensions?.code).toBe('MERCHANT_USER_NOT_FOUND');
    const sessionsA = await gql(owner).ok(`query { portalSessions { id } }`);
    expect((await gql(ownerB).request(`mutation($id: ID!) { revokePortalSession(id: $id) }`, { id: sessionsA.portalSessions[0].id })).errors?.[0]?.extensions?.code).toBe('PORTAL_SESSION_NOT_FOUND');
  });

  it("another tenant's cookie reads none of this merchant's checkout sessions or payments and changes none; with this merchant's CSRF token it is CSRF_INVALID", async () => {
    await admin.ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantA });
    const { createCheckoutSession: mine } = await gql(owner).ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id status paymentIntent { id } } }`, {
      input: { lineItems: [{ name: 'Tenant plan', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }] },
    });
    const other = await userOf(merchantB, `dev-${merchantB}@example.com`, 'DEVELOPER');
    const read = await gql(other).ok(`query($s: ID!, $p: ID!) { checkoutSession(id: $s) { id } paymentIntent(id: $p) { id } checkoutSessions(first: 100) { edges { node { id } } } }`, {
      s: mine.id,
      p: mine.paymentIntent.id,
    });
    expect(read.checkoutSession).toBeNull();
    expect(read.paymentIntent).toBeNull();
    expect(read.checkoutSessions.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(mine.id);
    const cancel = await gql(other).request(`mutation($id: ID!) { cancelCheckoutSession(id: $id) { id status } }`, { id: mine.id });
    expect(cancel.data ?? null).toBeNull();
    expect(cancel.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND$/);
    expect((await gql(owner).ok(`query($id: ID!) { checkoutSession(id: $id) { status } }`, { id: mine.id })).checkoutSession.status).toBe('OPEN');
    // B's cookie with A's CSRF token (or A's cookie with B's): refused before anything runs.
    for (const [cookieOf, tokenOf] of [[other, owner], [owner, other]] as const) {
      const crossed = await new GqlClient(`${base}/graphql`, undefined, { cookie: cookieOf.cookie, 'x-csrf-token': tokenOf.csrf }).request(`query { viewer { role } }`);
      expect(crossed.status).toBe(403);
      expect(crossed.errors?.[0]?.extensions?.code).toBe('CSRF_INVALID');
    }
  });

  it('an analyst reads but every mutation is 403 ROLE_FORBIDDEN before anything runs; a developer manages no keys or users', async () => {
    const analyst = await userOf(merchantA, `reader-${merchantA}@example.com`, 'ANALYST');
    expect((await gql(analyst).ok(`query { viewer { merchant { id } } }`)).viewer.merchant.id).toBe(merchantA);
    const before = await db.query(`SELECT count(*)::int AS n FROM merchant.offers WHERE merchant_id = $1`, [merchantA]);
    const refused = await gql(analyst).request(OFFER, { input: { merchantId: merchantA, name: 'Nope', provider: 'A', price: { amountMinor: 1000, currency: 'GBP' } } });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    const after = await db.query(`SELECT count(*)::int AS n FROM merchant.offers WHERE merchant_id = $1`, [merchantA]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    // Its own sessions it may read and end (the one mutation an analyst may run, and only alone).
    expect((await gql(analyst).request(`mutation { revokePortalSession(id: "x") }`)).errors?.[0]?.extensions?.code).toBe('PORTAL_SESSION_NOT_FOUND');
    expect((await gql(analyst).request(`mutation { revokePortalSession(id: "x") removeMerchantUser(id: "x") }`)).errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');

    const dev = await userOf(merchantA, `dev-${merchantA}@example.com`, 'DEVELOPER');
    for (const op of [
      `query { apiKeys { edges { node { id } } } }`,
      `query { merchantUsers { id } }`,
      `mutation { createApiKey(input: { role: MERCHANT }) { key } }`,
      `mutation { inviteMerchantUser(input: { email: "x@example.com", role: OWNER }) { acceptUrl } }`,
      `query { ...Q } fragment Q on Query { apiKeys { edges { node { id } } } }`,
    ]) {
      const r = await gql(dev).request(op);
      expect(r.errors?.[0]?.extensions?.code, op).toBe('ROLE_FORBIDDEN');
    }
    expect((await gql(dev).ok(`query { viewerUser { role } }`)).viewerUser.role).toBe('DEVELOPER');

    // The commercial terms agents are paid by are an owner's: a developer's change of them is refused and writes nothing.
    const UPDATE = `mutation($id: ID!, $input: UpdateMerchantInput!) { updateMerchant(id: $id, input: $input) { name validationPeriodDays commissionTerms { type cpa { amountMinor } } } }`;
    const termsBefore = await db.query(`SELECT commission_type, commission_cpa_minor, commission_percentage_bps, validation_period_days, flow_type, name FROM merchant.merchants WHERE id = $1`, [merchantA]);
    for (const input of [
      { commissionTerms: { type: 'CPA', cpa: { amountMinor: 1, currency: 'GBP' } } },
      { validationPeriodDays: 1 },
      { name: 'Renamed by a developer', conversionFlow: { type: 'quote_application' } },
    ]) {
      const r = await gql(dev).request(UPDATE, { id: merchantA, input });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('ROLE_FORBIDDEN');
    }
    const termsAfter = await db.query(`SELECT commission_type, commission_cpa_minor, commission_percentage_bps, validation_period_days, flow_type, name FROM merchant.merchants WHERE id = $1`, [merchantA]);
    expect(termsAfter.rows[0]).toEqual(termsBefore.rows[0]);
    // Its other fields a developer changes; an owner changes the terms.
    expect((await gql(dev).ok(UPDATE, { id: merchantA, input: { name: `Dev renamed ${merchantA}` } })).updateMerchant.name).toBe(`Dev renamed ${merchantA}`);
    expect((await gql(owner).ok(UPDATE, { id: merchantA, input: { name: 'Portal A', validationPeriodDays: 14 } })).updateMerchant.validationPeriodDays).toBe(14);
  });

  it('an owner makes MERCHANT keys of its own merchant (prefix listed, revocable), changes roles, and cannot lose the last owner', async () => {
    const created = (await gql(owner).ok(`mutation { createApiKey(input: { role: MERCHANT, name: "machine" }) { key apiKey { id prefix merchantId role } } }`)).createApiKey;
    expect(created.apiKey).toMatchObject({ merchantId: merchantA, role: 'MERCHANT' });
    const machine = new GqlClient(handoff.graphqlUrl, created.key);
    expect((await machine.ok(`query { viewer { merchant { id } } }`)).viewer.merchant.id).toBe(merchantA);
    expect((await gql(owner).request(`mutation { createApiKey(input: { role: ADMIN }) { key } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(owner).request(`mutation($m: ID) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantB })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listed = await gql(owner).ok(`query { apiKeys { edges { node { id prefix } } } }`);
    expect(listed.apiKeys.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(created.apiKey.id);
    expect(await gql(owner).ok(`mutation($id: ID!) { revokeApiKey(id: $id) }`, { id: created.apiKey.id })).toEqual({ revokeApiKey: true });
    // The last owner stays an owner.
    expect((await gql(owner).request(`mutation($id: ID!) { changeMerchantUserRole(id: $id, role: ANALYST) { role } }`, { id: owner.user.id })).errors?.[0]?.extensions?.code).toBe('LAST_OWNER');
    expect((await gql(owner).request(`mutation($id: ID!) { removeMerchantUser(id: $id) }`, { id: owner.user.id })).errors?.[0]?.extensions?.code).toBe('LAST_OWNER');
    // A developer made analyst is refused its next mutation at once.
    const dev = await userOf(merchantA, `promoted-${merchantA}@example.com`, 'DEVELOPER');
    expect((await gql(owner).ok(`mutation($id: ID!) { changeMerchantUserRole(id: $id, role: ANALYST) { role } }`, { id: dev.user.id })).changeMerchantUserRole.role).toBe('ANALYST');
    expect((await gql(dev).request(OFFER, { input: { merchantId: merchantA, name: 'Nope', provider: 'A', price: { amountMinor: 1000, currency: 'GBP' } } })).errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    // The audit log names the owner who changed the role (through the outbox, a moment later).
    const audited = await waitFor(async () => {
      const r = await db.query(`SELECT actor_kind, actor_id, before, after FROM merchant.audit_log WHERE entity_type = 'merchant_user' AND entity_id = $1 AND action = 'role_changed'`, [dev.user.id]);
      return r.rows[0];
    }, 'the role change in the audit log');
    expect(audited).toEqual({ actor_kind: 'merchant', actor_id: `user:${owner.user.id}`, before: { role: 'DEVELOPER' }, after: { role: 'ANALYST' } });
    // Removed: its sessions end.
    expect(await gql(owner).ok(`mutation($id: ID!) { removeMerchantUser(id: $id) }`, { id: dev.user.id })).toEqual({ removeMerchantUser: true });
    expect((await gql(dev).request(`query { viewer { role } }`)).status).toBe(401);
  });
});

describe('sessions', () => {
  it('a user lists its own sessions and revokes one: that cookie is refused at once', async () => {
    const second = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }, { 'user-agent': 'second-browser' }));
    const list = (await gql(owner).ok(`query { portalSessions { id current userAgent ip createdAt lastSeenAt expiresAt } }`)).portalSessions;
    const mine = list.find((s: { current: boolean }) => s.current);
    const other = list.find((s: { userAgent: string | null }) => s.userAgent === 'second-browser');
    expect(mine).toBeTruthy();
    expect(other).toBeTruthy();
    expect(other.current).toBe(false);
    expect(await gql(owner).ok(`mutation($id: ID!) { revokePortalSession(id: $id) }`, { id: other.id })).toEqual({ revokePortalSession: true });
    expect((await gql(second).request(`query { viewer { role } }`)).status).toBe(401);
    expect((await gql(owner).ok(`query { portalSessions { id } }`)).portalSessions.map((s: { id: string }) => s.id)).not.toContain(other.id);
  });

  it('a session idle past 12 hours or past its absolute end is refused', async () => {
    const idle = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }));
    const old = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }));
    expect((await gql(idle).request(`query { viewer { role } }`)).status).toBe(200);
    const hash = (s: Session) => `encode(sha256('${s.cookie.split('=')[1]}'::bytea), 'hex')`;
    await db.query(`UPDATE merchant.portal_sessions SET last_seen_at = now() - interval '13 hours' WHERE token_hash = ${hash(idle)}`);
    await db.query(`UPDATE merchant.portal_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${hash(old)}`);
    for (const s of [idle, old]) {
      expect((await gql(s).request(`query { viewer { role } }`)).status).toBe(401);
      expect((await json('GET', '/portal/api/session', undefined, { cookie: s.cookie })).status).toBe(401);
    }
  });

  it('a Bearer key wins over a cookie; a WebSocket with the cookie needs the gateway’s own Origin', async () => {
    const both = await new GqlClient(handoff.graphqlUrl, handoff.adminKey, { cookie: owner.cookie }).ok(`query { viewer { role } }`);
    expect(both.viewer.role).toBe('ADMIN');
    const { WebSocket } = await import('ws');
    const wsUrl = handoff.graphqlUrl.replace(/^http/, 'ws');
    const outcome = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: { cookie: owner.cookie, origin } });
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        ws.on('message', (m) => {
          const msg = JSON.parse(String(m));
          if (msg.type === 'connection_ack') {
            ws.close();
            resolve('ack');
          }
        });
        ws.on('close', (code) => resolve(`closed ${code}`));
        ws.on('error', () => resolve('error'));
      });
    expect(await outcome(new URL(base).origin)).toBe('ack');
    expect(await outcome('https://evil.example')).toBe('closed 4403');
  });
});

describe('sockets', () => {
  it('a cookie WebSocket closes (4403) once its session is logged out', async () => {
    const s = sessionOf(await json('POST', '/portal/api/login', { email: owner.user.email, password: PASSWORD }));
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(handoff.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { cookie: s.cookie, origin: new URL(base).origin } });
    const acked = new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      ws.on('message', (m) => (JSON.parse(String(m)).type === 'connection_ack' ? resolve() : undefined));
      ws.on('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await acked;
    expect((await json('POST', '/portal/api/logout', undefined, { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(204);
    expect(await closed).toBe(4403);
  }, 40_000);
});

describe('roles over WebSocket', () => {
  it('an analyst’s mutation sent over a cookie WebSocket is refused ROLE_FORBIDDEN; its query runs', async () => {
    const analyst = await userOf(merchantA, `ws-reader-${merchantA}@example.com`.toLowerCase(), 'ANALYST');
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(handoff.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { cookie: analyst.cookie, origin: new URL(base).origin } });
    const answers = new Map<string, unknown[]>();
    const done = new Map<string, () => void>();
    const acked = new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m));
        if (msg.type === 'connection_ack') resolve();
        if (msg.id) answers.set(msg.id, [...(answers.get(msg.id) ?? []), msg]);
        if (msg.id && (msg.type === 'complete' || msg.type === 'error')) done.get(msg.id)?.();
      });
      ws.on('error', reject);
    });
    await acked;
    const run = (id: string, query: string) =>
      new Promise<unknown[]>((resolve) => {
        done.set(id, () => resolve(answers.get(id)!));
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
      });
    const mutation = JSON.stringify(await run('m', `mutation { createOffer(input: { merchantId: "${merchantA}", name: "WS", price: { amountMinor: 100, currency: "GBP" } }) { id } }`));
    expect(mutation).toContain('ROLE_FORBIDDEN');
    expect(mutation).not.toContain('"createOffer":{');
    const query = JSON.stringify(await run('q', `query { viewer { merchant { id } } }`));
    expect(query).toContain(merchantA);
    ws.close();
  });
});

describe('demo data', () => {
  it('npm start’s demo data makes a ready-to-log-in owner of SMARTY, the same after a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'handoff-portal-demo-'));
    try {
      const first = await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dir);
      expect(first.portalOwner.password.length).toBeGreaterThanOrEqual(10);
      const s = sessionOf(await json('POST', '/portal/api/login', first.portalOwner));
      expect(s.user).toMatchObject({ email: first.portalOwner.email, role: 'OWNER', merchantId: first.smartyMerchantId, merchantName: 'SMARTY' });
      const second = await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dir);
      expect(second.portalOwner).toEqual(first.portalOwner);
      expect((await json('POST', '/portal/api/login', second.portalOwner)).status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
