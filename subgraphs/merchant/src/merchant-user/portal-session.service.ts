// Portal sessions (docs/portal-auth.md): sign-in by email and password (throttled per email and
// address), the gateway's lookup of a session cookie, logout, and a user's own session list and
// revoke. The cookie's token is returned once; only its SHA-256 is stored. A session ends after
// IDLE_MS without use or ABSOLUTE_MS after it began, whichever comes first.
import { ErrorCode, HandoffError, requiredId, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { dummyPasswordHash, isTokenHash, loginEmail, newSessionToken, sha256, verifyPassword } from './credentials.js';
import { MerchantUserEntity, PortalSessionEntity } from './merchant-user.entity.js';
import { invalidCredentials, portalSessionNotFound, tooManyAttempts } from './merchant-user.errors.js';
import type { MerchantUserRole } from './merchant-user.role.js';
import { clearFailures, lockThrottleKey, recordFailure, throttledFor, throttleKeyOf } from './login-throttle.js';

export const IDLE_MS = 12 * 60 * 60 * 1000;
export const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often per session (a request is not a write). */
const TOUCH_EVERY_MS = 60 * 1000;
/** A login's email may be a user of several merchants; at most this many are tried. */
const MAX_ACCOUNTS_PER_EMAIL = 5;

export interface PortalUserView {
  id: string;
  email: string;
  name: string;
  role: MerchantUserRole;
  merchantId: string;
  merchantName: string;
}

export interface SignedIn {
  /** The cookie's value: for the gateway, this once. */
  token: string;
  sessionId: string;
  user: PortalUserView;
}

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

type Clock = () => Date;

const clip = (v: string | null | undefined, max: number): string | null => (typeof v === 'string' && v.length ? v.slice(0, max) : null);

export class PortalSessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: Clock = () => new Date(),
  ) {}

  async login(input: { email: unknown; password: unknown } & ClientInfo): Promise<SignedIn> {
    const email = loginEmail(input.email);
    const password = typeof input.password === 'string' ? input.password.slice(0, 1024) : '';
    const key = throttleKeyOf(email, input.ip ?? '');
    const now = this.now();
    // The failure is committed, then thrown: the count must survive the refusal.
    const outcome = await this.dataSource.transaction(async (manager) => {
      await lockThrottleKey(manager, key);
      const wait = await throttledFor(manager, key, now);
      if (wait > 0) return { wait };
      const candidates = email
        ? await manager
            .getRepository(MerchantUserEntity)
            .createQueryBuilder('u')
            .addSelect('u.passwordHash')
            .where('u.email = :email AND u.removedAt IS NULL', { email })
            .orderBy('u.createdAt', 'ASC')
            .limit(MAX_ACCOUNTS_PER_EMAIL)
            .getMany()
        : [];
      let user: MerchantUserEntity | undefined;
      if (!candidates.length) await verifyPassword(await dummyPasswordHash(), password); // the same work as a known email
      for (const c of candidates) {
        if (await verifyPassword(c.passwordHash, password)) {
          user = c;
          break;
        }
      }
      if (!user) {
        await recordFailure(manager, key, now);
        return { failed: true as const };
      }
      await clearFailures(manager, key);
      return { signedIn: await this.open(manager, user, input, now) };
    });
    if ('wait' in outcome) throw tooManyAttempts(outcome.wait!);
    if ('failed' in outcome) throw invalidCredentials();
    return outcome.signedIn;
  }

  /** A new session of `user` in `manager`'s transaction (sign-in, an accepted invitation). */
  async open(manager: EntityManager, user: MerchantUserEntity, client: ClientInfo, now = this.now()): Promise<SignedIn> {
    const token = newSessionToken();
    const session: PortalSessionEntity = manager.create(PortalSessionEntity, {
      id: `ps_${ulid()}`,
      userId: user.id,
      merchantId: user.merchantId,
      tokenHash: sha256(token),
      userAgent: clip(client.userAgent, 512),
      ip: clip(client.ip, 64),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + ABSOLUTE_MS),
      revokedAt: null,
    });
    await manager.insert(PortalSessionEntity, session);
    return { token, sessionId: session.id, user: await userView(manager, user) };
  }

  /** The gateway's lookup of a cookie's hash: the live session and its user, or null. */
  async resolve(tokenHash: string): Promise<{ sessionId: string; user: PortalUserView } | null> {
    if (!isTokenHash(tokenHash)) return null;
    const now = this.now();
    const rows: Array<{ session_id: string; last_seen_at: Date; id: string; email: string; name: string; role: MerchantUserRole; merchant_id: string; merchant_name: string }> =
      await this.dataSource.query(
        `SELECT s.id AS session_id, s.last_seen_at, u.id, u.email, u.name, u.role, u.merchant_id, m.name AS merchant_name
           FROM "${SCHEMA_NAME}".portal_sessions s
           JOIN "${SCHEMA_NAME}".merchant_users u ON u.id = s.user_id AND u.removed_at IS NULL
           JOIN "${SCHEMA_NAME}".merchants m ON m.id = s.merchant_id
          WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3`,
        [tokenHash, now, new Date(now.getTime() - IDLE_MS)],
      );
    const row = rows[0];
    if (!row) return null;
    if (now.getTime() - new Date(row.last_seen_at).getTime() >= TOUCH_EVERY_MS) {
      await this.dataSource.query(`UPDATE "${SCHEMA_NAME}".portal_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [row.session_id, now]);
    }
    return {
      sessionId: row.session_id,
      user: { id: row.id, email: row.email, name: row.name, role: row.role, merchantId: row.merchant_id, merchantName: row.merchant_name },
    };
  }

  /** Logout by the cookie's hash: true when a live session was revoked. */
  async logout(tokenHash: string): Promise<boolean> {
    if (!isTokenHash(tokenHash)) return false;
    const result = await this.dataSource.query(
      `UPDATE "${SCHEMA_NAME}".portal_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id`,
      [tokenHash, this.now()],
    );
    return (result[0] as unknown[]).length > 0;
  }

  /** The caller's own live sessions, newest first. */
  async listOwn(principal: Principal): Promise<PortalSessionEntity[]> {
    const userId = requireUser(principal);
    const now = this.now();
    return this.dataSource
      .getRepository(PortalSessionEntity)
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.merchantId = :merchantId AND s.revokedAt IS NULL', { userId, merchantId: (principal as { merchantId: string }).merchantId })
      .andWhere('s.expiresAt > :now AND s.lastSeenAt > :idle', { now, idle: new Date(now.getTime() - IDLE_MS) })
      .orderBy('s.createdAt', 'DESC')
      .limit(100)
      .getMany();
  }

  /** One of the caller's own sessions (another's is not found). Revoking twice is fine. */
  async revokeOwn(principal: Principal, id: string): Promise<boolean> {
    const userId = requireUser(principal);
    id = requiredId(id, 'id');
    const found = await this.dataSource.getRepository(PortalSessionEntity).findOneBy({ id, userId });
    if (!found) throw portalSessionNotFound(id);
    if (!found.revokedAt) await this.dataSource.query(`UPDATE "${SCHEMA_NAME}".portal_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [found.id, this.now()]);
    return true;
  }
}

/** A portal user's id, or FORBIDDEN for any other caller (an API key has no sessions). */
export function requireUser(principal: Principal): string {
  if (principal.kind === 'ANONYMOUS') throw new HandoffError(ErrorCode.UNAUTHENTICATED, 'Sign in to the portal first.');
  if (principal.kind !== 'MERCHANT' || !principal.userId) throw new HandoffError(ErrorCode.FORBIDDEN, 'Only a signed-in portal user has portal sessions.');
  return principal.userId;
}

export async function userView(manager: EntityManager, user: MerchantUserEntity): Promise<PortalUserView> {
  const rows: Array<{ name: string }> = await manager.query(`SELECT name FROM "${SCHEMA_NAME}".merchants WHERE id = $1`, [user.merchantId]);
  return { id: user.id, email: user.email, name: user.name, role: user.role, merchantId: user.merchantId, merchantName: rows[0]?.name ?? '' };
}
