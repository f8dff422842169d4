// The portal accounts' services against real PostgreSQL (docs/portal-auth.md), with a clock the
// test moves: argon2id hashes verified, a wrong password and an unknown email refused alike, the
// throttle (5 failures in 15 minutes per email and address, concurrent failures counted under the
// key's lock, the window sliding), invitations (7 days, once, concurrent accepts, listed and withdrawn,
// a withdrawal racing an acceptance), sessions
// (resolve, idle and absolute expiry, logout, a user's own revoke), owners (the last one stays).
import { ErrorCode, HandoffError, type Principal } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, sha256, verifyPassword } from '../src/merchant-user/credentials.js';
import { MerchantUserService } from '../src/merchant-user/merchant-user.service.js';
import { ABSOLUTE_MS, IDLE_MS, PortalSessionService, type SignedIn } from '../src/merchant-user/portal-session.service.js';
import { admin, gbpCpaMerchant, merchantPrincipal, startTestApp, unique, type TestApp } from './support.js';

let t: TestApp;
let now = new Date('2030-01-01T00:00:00Z');
const clock = () => new Date(now);
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
let sessions: PortalSessionService;
let users: MerchantUserService;
let merchantId: string;
let ownerSignIn: SignedIn;
const PASSWORD = 'a long enough password';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandoffError);
  return (error as HandoffError).extensions.code as string;
}

const ownerOf = (s: SignedIn): Principal => ({
  kind: 'MERCHANT', keyId: `user:${s.user.id}`, merchantId: s.user.merchantId, userId: s.user.id, userRole: s.user.role, portalSessionId: s.sessionId,
});

async function invitedUser(email: string, role: 'OWNER' | 'DEVELOPER' | 'ANALYST', by: Principal = admin): Promise<SignedIn> {
  const { token } = await users.invite(by, { email, role, merchantId: by.kind === 'ADMIN' ? merchantId : undefined });
  return users.accept(sha256(token), { name: 'Someone', password: PASSWORD, ip: '10.0.0.1', userAgent: 'spec' });
}

beforeAll(async () => {
  t = await startTestApp();
  sessions = new PortalSessionService(t.app.dataSource, clock);
  users = new MerchantUserService(t.app.dataSource, sessions, clock);
  merchantId = (await t.services.merchants.create(admin, gbpCpaMerchant(unique('Portal')), undefined)).id;
  ownerSignIn = await invitedUser(`owner-${merchantId.toLowerCase()}@example.com`, 'OWNER');
});

afterAll(async () => {
  await t?.close();
});

describe('passwords', () => {
  it('argon2id hashes verify the password and nothing else', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, `${PASSWORD}!`)).toBe(false);
    expect(await verifyPassword('not a hash', PASSWORD)).toBe(false);
  });

  it('sign-in: the right password opens a session; a wrong password and an unknown email are the same INVALID_CREDENTIALS', async () => {
    const email = ownerSignIn.user.email;
    const ok = await sessions.login({ email: email.toUpperCase(), password: PASSWORD, ip: '10.0.0.2' });
    expect(ok.user.id).toBe(ownerSignIn.user.id);
    expect(ok.token).toMatch(/^hps_/);
    const wrong = await sessions.login({ email, password: 'wrong password', ip: '10.0.0.2' }).catch((e: HandoffError) => e);
    const unknown = await sessions.login({ email: 'nobody@example.com', password: 'wrong password', ip: '10.0.0.2' }).catch((e: HandoffError) => e);
    expect((wrong as HandoffError).extensions.code).toBe(ErrorCode.INVALID_CREDENTIALS);
    expect((unknown as HandoffError).message).toBe((wrong as HandoffError).message);
    expect((unknown as HandoffError).extensions.code).toBe(ErrorCode.INVALID_CREDENTIALS);
  });
});

describe('login throttle', () => {
  it('5 concurrent failures, then the right password is TOO_MANY_ATTEMPTS until the window slides; other addresses are not held', async () => {
    const u = await invitedUser(`throttle-${merchantId.toLowerCase()}@example.com`, 'DEVELOPER');
    const ip = '10.9.9.9';
    const codes = await Promise.all(Array.from({ length: 5 }, () => codeOf(sessions.login({ email: u.user.email, password: 'wrong password', ip }))));
    expect(codes).toEqual(Array(5).fill(ErrorCode.INVALID_CREDENTIALS));
    const held = await sessions.login({ email: u.user.email, password: PASSWORD, ip }).catch((e: HandoffError) => e);
    expect((held as HandoffError).extensions.code).toBe(ErrorCode.TOO_MANY_ATTEMPTS);
    expect((held as HandoffError).extensions.reason).toMatch(/^retry_after:\d+$/);
    // Another address is not held by these failures.
    expect((await sessions.login({ email: u.user.email, password: PASSWORD, ip: '10.9.9.10' })).user.id).toBe(u.user.id);
    // 15 minutes on, the failures have aged out: the right password signs in, and clears the count.
    advance(15 * 60 * 1000 + 1000);
    expect((await sessions.login({ email: u.user.email, password: PASSWORD, ip })).user.id).toBe(u.user.id);
    expect(await codeOf(sessions.login({ email: u.user.email, password: 'wrong password', ip }))).toBe(ErrorCode.INVALID_CREDENTIALS);
  });
});

describe('invitations', () => {
  it('expire after 7 days', async () => {
    const { token } = await users.invite(admin, { email: `late-${merchantId.toLowerCase()}@example.com`, role: 'ANALYST', merchantId });
    expect((await users.invitation(sha256(token))).role).toBe('ANALYST');
    advance(7 * 24 * 60 * 60 * 1000);
    expect(await codeOf(users.invitation(sha256(token)))).toBe(ErrorCode.INVITATION_EXPIRED);
    expect(await codeOf(users.accept(sha256(token), { name: 'Late', password: PASSWORD }))).toBe(ErrorCode.INVITATION_EXPIRED);
  });

  it('are used once, also when accepted concurrently; a weak password consumes nothing', async () => {
    const { token } = await users.invite(ownerOf(ownerSignIn), { email: `Once-${merchantId}@Example.com`, role: 'DEVELOPER' });
    expect(await codeOf(users.accept(sha256(token), { name: 'Once', password: 'short' }))).toBe(ErrorCode.WEAK_PASSWORD);
    const results = await Promise.allSettled([0, 1, 2].map(() => users.accept(sha256(token), { name: 'Once', password: PASSWORD })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason.extensions.code).toBe(ErrorCode.INVITATION_INVALID);
    expect(await codeOf(users.accept(sha256(token), { name: 'Once', password: PASSWORD }))).toBe(ErrorCode.INVITATION_INVALID);
    const rows = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM merchant.merchant_users WHERE email = $1`, [`once-${merchantId.toLowerCase()}@example.com`]);
    expect(rows[0].n).toBe(1);
    expect(await codeOf(users.invite(admin, { email: `ONCE-${merchantId}@example.com`, role: 'ANALYST', merchantId }))).toBe(ErrorCode.MERCHANT_USER_EXISTS);
  });

  it('only an owner (or an admin) invites; an API key and a developer do not', async () => {
    const dev = await invitedUser(`dev-${merchantId.toLowerCase()}@example.com`, 'DEVELOPER');
    expect(await codeOf(users.invite(ownerOf(dev), { email: 'x@example.com', role: 'ANALYST' }))).toBe(ErrorCode.ROLE_FORBIDDEN);
    expect(await codeOf(users.invite(merchantPrincipal(merchantId), { email: 'x@example.com', role: 'ANALYST' }))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(users.invite(ownerOf(ownerSignIn), { email: 'not an email', role: 'ANALYST' }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(users.invite(ownerOf(ownerSignIn), { email: 'x@example.com', role: 'ROOT' }))).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('pending ones are listed to their owner and withdrawn: the link stops working; another merchant’s, a used or an expired one is INVITATION_NOT_FOUND', async () => {
    const owner = ownerOf(ownerSignIn);
    const m = merchantId.toLowerCase();
    const { invitation, token } = await users.invite(owner, { email: `withdrawn-${m}@example.com`, role: 'ANALYST' });
    const { invitation: kept } = await users.invite(owner, { email: `kept-${m}@example.com`, role: 'DEVELOPER' });
    const ids = async (p: Principal) => (await users.pendingInvitations(p)).map((i) => i.id);
    expect(await ids(owner)).toEqual(expect.arrayContaining([invitation.id, kept.id]));
    expect((await ids(owner)).indexOf(kept.id)).toBeLessThan((await ids(owner)).indexOf(invitation.id)); // newest first

    // Another merchant's owner neither sees nor withdraws them; a developer manages no invitations.
    const other = (await t.services.merchants.create(admin, gbpCpaMerchant(unique('Other portal')), undefined)).id;
    const { token: otherToken } = await users.invite(admin, { email: `owner-${other.toLowerCase()}@example.com`, role: 'OWNER', merchantId: other });
    const otherOwner = ownerOf(await users.accept(sha256(otherToken), { name: 'Other owner', password: PASSWORD }));
    expect(await ids(otherOwner)).not.toContain(invitation.id);
    expect(await codeOf(users.withdrawInvitation(otherOwner, invitation.id))).toBe(ErrorCode.INVITATION_NOT_FOUND);
    expect(await codeOf(users.withdrawInvitation(admin, invitation.id, other))).toBe(ErrorCode.INVITATION_NOT_FOUND);
    const dev = await invitedUser(`dev-withdraw-${m}@example.com`, 'DEVELOPER');
    expect(await codeOf(users.pendingInvitations(ownerOf(dev)))).toBe(ErrorCode.ROLE_FORBIDDEN);
    expect(await codeOf(users.withdrawInvitation(ownerOf(dev), invitation.id))).toBe(ErrorCode.ROLE_FORBIDDEN);
    expect(await codeOf(users.withdrawInvitation(merchantPrincipal(merchantId), invitation.id))).toBe(ErrorCode.FORBIDDEN);

    expect(await users.withdrawInvitation(owner, invitation.id)).toBe(true);
    expect(await ids(owner)).not.toContain(invitation.id);
    expect(await ids(owner)).toContain(kept.id);
    expect(await codeOf(users.invitation(sha256(token)))).toBe(ErrorCode.INVITATION_INVALID);
    expect(await codeOf(users.accept(sha256(token), { name: 'Too late', password: PASSWORD }))).toBe(ErrorCode.INVITATION_INVALID);
    expect(await codeOf(users.withdrawInvitation(owner, invitation.id))).toBe(ErrorCode.INVITATION_NOT_FOUND);
    const audited = await t.app.dataSource.query(`SELECT payload FROM merchant.outbox WHERE payload::text LIKE $1 AND payload::text LIKE '%"withdrawn"%'`, [`%${invitation.id}%`]);
    expect(audited).toHaveLength(1);

    // An accepted one is no longer pending.
    const { invitation: used, token: usedToken } = await users.invite(owner, { email: `used-${m}@example.com`, role: 'ANALYST' });
    await users.accept(sha256(usedToken), { name: 'Used', password: PASSWORD });
    expect(await ids(owner)).not.toContain(used.id);
    expect(await codeOf(users.withdrawInvitation(owner, used.id))).toBe(ErrorCode.INVITATION_NOT_FOUND);
    // Nor is an expired one.
    advance(7 * 24 * 60 * 60 * 1000);
    expect(await ids(owner)).not.toContain(kept.id);
    expect(await codeOf(users.withdrawInvitation(owner, kept.id))).toBe(ErrorCode.INVITATION_NOT_FOUND);
  });

  it('withdrawn while being accepted: exactly one of the two wins, every round (20 rounds, staggered)', async () => {
    const owner = ownerOf(ownerSignIn);
    for (let round = 0; round < 20; round++) {
      const email = `race-${round}-${merchantId.toLowerCase()}@example.com`;
      const { invitation, token } = await users.invite(owner, { email, role: 'ANALYST' });
      const withdraw = new Promise((r) => setTimeout(r, (round % 10) * 15)).then(() => users.withdrawInvitation(owner, invitation.id));
      const [w, a] = await Promise.allSettled([withdraw, users.accept(sha256(token), { name: 'Racer', password: PASSWORD })]);
      expect([w.status, a.status].filter((s) => s === 'fulfilled'), `round ${round}`).toHaveLength(1);
      if (w.status === 'rejected') expect(w.reason.extensions.code).toBe(ErrorCode.INVITATION_NOT_FOUND);
      if (a.status === 'rejected') expect(a.reason.extensions.code).toBe(ErrorCode.INVITATION_INVALID);
      const [row] = await t.app.dataSource.query(`SELECT accepted_at, withdrawn_at FROM merchant.merchant_user_invitations WHERE id = $1`, [invitation.id]);
      expect((row.accepted_at === null) !== (row.withdrawn_at === null)).toBe(true);
      const [users_] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM merchant.merchant_users WHERE email = $1`, [email]);
      expect(users_.n).toBe(a.status === 'fulfilled' ? 1 : 0);
    }
  });
});

describe('sessions', () => {
  it('resolve while used; end 12 hours idle, or 7 days after sign-in however used', async () => {
    const s = await sessions.login({ email: ownerSignIn.user.email, password: PASSWORD, ip: '10.1.1.1' });
    expect((await sessions.resolve(sha256(s.token)))?.sessionId).toBe(s.sessionId);
    advance(IDLE_MS - 60_000);
    expect(await sessions.resolve(sha256(s.token))).not.toBeNull(); // used: lastSeenAt moves
    advance(IDLE_MS - 60_000);
    expect(await sessions.resolve(sha256(s.token))).not.toBeNull();
    advance(IDLE_MS + 1000);
    expect(await sessions.resolve(sha256(s.token))).toBeNull();

    const kept = await sessions.login({ email: ownerSignIn.user.email, password: PASSWORD, ip: '10.1.1.1' });
    for (let used = 0; used < ABSOLUTE_MS; used += IDLE_MS / 2) {
      expect(await sessions.resolve(sha256(kept.token))).not.toBeNull();
      advance(IDLE_MS / 2);
    }
    expect(await sessions.resolve(sha256(kept.token))).toBeNull();
  });

  it('logout and a user’s own revoke end a session at once; another user’s session is not found', async () => {
    const a = await sessions.login({ email: ownerSignIn.user.email, password: PASSWORD, ip: '10.2.2.2' });
    const b = await sessions.login({ email: ownerSignIn.user.email, password: PASSWORD, ip: '10.2.2.2', userAgent: 'second' });
    const me = ownerOf(a);
    const listed = await sessions.listOwn(me);
    expect(listed.map((s) => s.id)).toEqual(expect.arrayContaining([a.sessionId, b.sessionId]));
    expect(await sessions.revokeOwn(me, b.sessionId)).toBe(true);
    expect(await sessions.resolve(sha256(b.token))).toBeNull();
    const other = await invitedUser(`other-${merchantId.toLowerCase()}@example.com`, 'ANALYST');
    expect(await codeOf(sessions.revokeOwn(ownerOf(other), a.sessionId))).toBe(ErrorCode.PORTAL_SESSION_NOT_FOUND);
    expect(await sessions.logout(sha256(a.token))).toBe(true);
    expect(await sessions.resolve(sha256(a.token))).toBeNull();
    expect(await sessions.logout(sha256(a.token))).toBe(false);
    expect(await codeOf(sessions.listOwn(merchantPrincipal(merchantId)))).toBe(ErrorCode.FORBIDDEN);
  });

  it('the last owner stays; a removed user’s sessions end', async () => {
    const me = ownerOf(ownerSignIn);
    expect(await codeOf(users.changeRole(me, ownerSignIn.user.id, 'ANALYST'))).toBe(ErrorCode.LAST_OWNER);
    expect(await codeOf(users.remove(me, ownerSignIn.user.id))).toBe(ErrorCode.LAST_OWNER);
    const second = await invitedUser(`second-owner-${merchantId.toLowerCase()}@example.com`, 'OWNER');
    // Two owners demoting each other at once: one of them stays an owner.
    const both = await Promise.allSettled([users.changeRole(me, second.user.id, 'DEVELOPER'), users.changeRole(ownerOf(second), ownerSignIn.user.id, 'DEVELOPER')]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const owners = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM merchant.merchant_users WHERE merchant_id = $1 AND role = 'OWNER' AND removed_at IS NULL`, [merchantId]);
    expect(owners[0].n).toBe(1);
    const dev = await invitedUser(`removed-${merchantId.toLowerCase()}@example.com`, 'DEVELOPER');
    const stillOwner = (await users.list(admin, merchantId)).find((u) => u.role === 'OWNER')!;
    const ownerPrincipal: Principal = { kind: 'MERCHANT', keyId: `user:${stillOwner.id}`, merchantId, userId: stillOwner.id, userRole: 'OWNER', portalSessionId: 'ps_x' };
    expect(await users.remove(ownerPrincipal, dev.user.id)).toBe(true);
    expect(await sessions.resolve(sha256(dev.token))).toBeNull();
    expect(await codeOf(sessions.login({ email: dev.user.email, password: PASSWORD, ip: '10.3.3.3' }))).toBe(ErrorCode.INVALID_CREDENTIALS);
  });
});
