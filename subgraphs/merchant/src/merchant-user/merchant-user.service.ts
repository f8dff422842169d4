// Merchant portal users (docs/portal-auth.md): the owner's user management (list, invite, change
// role, remove; the merchant keeps one owner at least) and the invitation's one-time link (read,
// accept). An admin may do what an owner does for any merchant (that is how a first owner is made).
import { badUserInput, displayText, ErrorCode, forbidden, HandoffError, optionalId, requiredId, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { merchantAudit } from '../audit-log/merchant-audit.js';
import { noopNotifier, writeEvents, type OutboxNotifier } from '../events.js';
import { merchantNotFound } from '../merchant/merchant.errors.js';
import { checkPassword, hashPassword, isTokenHash, newInvitationToken, normalEmail, sha256 } from './credentials.js';
import { MerchantUserEntity, MerchantUserInvitationEntity } from './merchant-user.entity.js';
import { invitationExpired, invitationInvalid, invitationNotFound, lastOwner, roleForbidden, userExists, userNotFound } from './merchant-user.errors.js';
import { MerchantUserRole } from './merchant-user.role.js';
import type { ClientInfo, PortalSessionService, SignedIn } from './portal-session.service.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const ROLES = new Set<string>(Object.values(MerchantUserRole));

export interface CreatedInvitation {
  invitation: MerchantUserInvitationEntity;
  /** The link's token: shown to the inviter this once. */
  token: string;
}

/**
 * The merchant whose users `principal` may manage: an owner's own; any, for an admin (who names it).
 * An API key does not manage people (FORBIDDEN); a developer or analyst: ROLE_FORBIDDEN.
 */
export function managedMerchant(principal: Principal, given?: string | null): string {
  const merchantId = optionalId(given, 'merchantId');
  if (principal.kind === 'ANONYMOUS') throw new HandoffError(ErrorCode.UNAUTHENTICATED, 'Sign in to the portal first.');
  if (principal.kind === 'ADMIN') {
    if (!merchantId) throw badUserInput('merchantId', 'an admin names the merchant.');
    return merchantId;
  }
  if (principal.kind !== 'MERCHANT') throw forbidden();
  if (!principal.userRole) throw forbidden('Portal users are managed by an owner signed in to the portal.');
  if (principal.userRole !== 'OWNER') throw roleForbidden('Only an owner manages the merchant’s users.');
  if (merchantId && merchantId !== principal.merchantId) throw forbidden();
  return principal.merchantId;
}

const actorId = (p: Principal): string => (p.kind === 'ADMIN' || p.kind === 'MERCHANT' ? p.keyId : p.kind);

export class MerchantUserService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: PortalSessionService,
    private readonly now: () => Date = () => new Date(),
    /** Told after a commit that wrote audit rows. */
    private readonly outbox: OutboxNotifier = noopNotifier,
  ) {}

  /** The signed-in user, or null for any other caller. */
  async viewer(principal: Principal): Promise<MerchantUserEntity | null> {
    if (principal.kind !== 'MERCHANT' || !principal.userId) return null;
    return this.dataSource.getRepository(MerchantUserEntity).findOneBy({ id: principal.userId, merchantId: principal.merchantId });
  }

  async list(principal: Principal, merchantId?: string | null): Promise<MerchantUserEntity[]> {
    const merchant = managedMerchant(principal, merchantId);
    return this.dataSource
      .getRepository(MerchantUserEntity)
      .createQueryBuilder('u')
      .where('u.merchantId = :merchant AND u.removedAt IS NULL', { merchant })
      .orderBy('u.createdAt', 'ASC')
      .limit(500)
      .getMany();
  }

  async invite(principal: Principal, input: { email: unknown; role: unknown; merchantId?: string | null }): Promise<CreatedInvitation> {
    const merchantId = managedMerchant(principal, input.merchantId);
    const email = normalEmail(input.email);
    const role = checkRole(input.role);
    const now = this.now();
    const created = await this.dataSource.transaction(async (manager) => {
      await lockMerchant(manager, merchantId);
      if (await activeUserWith(manager, merchantId, email)) throw userExists();
      const token = newInvitationToken();
      const invitation = manager.create(MerchantUserInvitationEntity, {
        id: `inv_${ulid()}`,
        merchantId,
        email,
        role,
        tokenHash: sha256(token),
        invitedBy: actorId(principal),
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        acceptedAt: null,
        acceptedUserId: null,
        withdrawnAt: null,
      });
      await manager.insert(MerchantUserInvitationEntity, invitation);
      await writeEvents(manager, [merchantAudit({ entityType: 'merchant_user_invitation', entityId: invitation.id, merchantId, action: 'created', after: { email, role, expiresAt: invitation.expiresAt.toISOString() } })]);
      return { invitation, token };
    });
    this.outbox.notify();
    return created;
  }

  async changeRole(principal: Principal, id: string, role: unknown): Promise<MerchantUserEntity> {
    const merchantId = managedMerchant(principal);
    id = requiredId(id, 'id');
    const next = checkRole(role);
    const changed = await this.dataSource.transaction(async (manager) => {
      await lockMerchant(manager, merchantId);
      const user = await manager.findOneBy(MerchantUserEntity, { id, merchantId });
      if (!user || user.removedAt) throw userNotFound(id);
      if (user.role === MerchantUserRole.OWNER && next !== MerchantUserRole.OWNER && (await ownerCount(manager, merchantId)) <= 1) throw lastOwner();
      if (user.role !== next) {
        await manager.update(MerchantUserEntity, { id: user.id }, { role: next });
        await writeEvents(manager, [merchantAudit({ entityType: 'merchant_user', entityId: user.id, merchantId, action: 'role_changed', before: { role: user.role }, after: { role: next } })]);
      }
      user.role = next;
      return user;
    });
    this.outbox.notify();
    return changed;
  }

  /** The merchant's invitations not yet accepted, withdrawn or expired, newest first. */
  async pendingInvitations(principal: Principal, merchantId?: string | null): Promise<MerchantUserInvitationEntity[]> {
    const merchant = managedMerchant(principal, merchantId);
    return this.dataSource
      .getRepository(MerchantUserInvitationEntity)
      .createQueryBuilder('i')
      .where('i.merchantId = :merchant AND i.acceptedAt IS NULL AND i.withdrawnAt IS NULL AND i.expiresAt > :now', { merchant, now: this.now() })
      .orderBy('i.createdAt', 'DESC')
      .limit(500)
      .getMany();
  }

  /**
   * Withdraws a pending invitation: its link stops working at once. Racing an acceptance of the same
   * link, exactly one wins (both take the invitation's row lock): accepted first, this is
   * INVITATION_NOT_FOUND; withdrawn first, the acceptance is INVITATION_INVALID.
   */
  async withdrawInvitation(principal: Principal, id: string, merchantId?: string | null): Promise<boolean> {
    const merchant = managedMerchant(principal, merchantId);
    id = requiredId(id, 'id');
    const now = this.now();
    await this.dataSource.transaction(async (manager) => {
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      const rows: Array<{ email: string; role: string }> = await manager.query(
        `WITH w AS (
           UPDATE "${SCHEMA_NAME}".merchant_user_invitations SET withdrawn_at = $3
            WHERE id = $1 AND merchant_id = $2 AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > $3
            RETURNING email, role)
         SELECT email, role FROM w`,
        [id, merchant, now],
      );
      const withdrawn = rows[0];
      if (!withdrawn) throw invitationNotFound(id);
      await writeEvents(manager, [merchantAudit({ entityType: 'merchant_user_invitation', entityId: id, merchantId: merchant, action: 'withdrawn', before: { email: withdrawn.email, role: withdrawn.role }, after: null })]);
    });
    this.outbox.notify();
    return true;
  }

  /** Removes the user (its email may be invited again) and revokes its sessions. */
  async remove(principal: Principal, id: string): Promise<boolean> {
    const merchantId = managedMerchant(principal);
    id = requiredId(id, 'id');
    const now = this.now();
    await this.dataSource.transaction(async (manager) => {
      await lockMerchant(manager, merchantId);
      const user = await manager.findOneBy(MerchantUserEntity, { id, merchantId });
      if (!user || user.removedAt) throw userNotFound(id);
      if (user.role === MerchantUserRole.OWNER && (await ownerCount(manager, merchantId)) <= 1) throw lastOwner();
      await manager.update(MerchantUserEntity, { id: user.id }, { removedAt: now });
      await manager.query(`UPDATE "${SCHEMA_NAME}".portal_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [user.id, now]);
      await writeEvents(manager, [merchantAudit({ entityType: 'merchant_user', entityId: user.id, merchantId, action: 'removed', before: { email: user.email, role: user.role }, after: null })]);
    });
    this.outbox.notify();
    return true;
  }

  /** What the invitation page shows before the invitee chooses a password. */
  async invitation(tokenHash: string): Promise<{ email: string; role: MerchantUserRole; merchantName: string }> {
    const invitation = await this.usable(this.dataSource.manager, tokenHash, false);
    const rows: Array<{ name: string }> = await this.dataSource.query(`SELECT name FROM "${SCHEMA_NAME}".merchants WHERE id = $1`, [invitation.merchantId]);
    return { email: invitation.email, role: invitation.role, merchantName: rows[0]?.name ?? '' };
  }

  /** Creates the user, consumes the invitation and signs the user in, in one transaction. */
  async accept(tokenHash: string, input: { name: unknown; password: unknown } & ClientInfo): Promise<SignedIn> {
    await this.usable(this.dataSource.manager, tokenHash, false);
    const name = displayText(input.name, 'name', 200);
    const password = checkPassword(input.password);
    const passwordHash = await hashPassword(password);
    const signedIn = await this.dataSource.transaction(async (manager) => {
      const invitation = await this.usable(manager, tokenHash, true);
      await lockMerchant(manager, invitation.merchantId);
      if (await activeUserWith(manager, invitation.merchantId, invitation.email)) throw userExists();
      const now = this.now();
      const user = manager.create(MerchantUserEntity, {
        id: `mu_${ulid()}`,
        merchantId: invitation.merchantId,
        email: invitation.email,
        name,
        role: invitation.role,
        passwordHash,
        createdAt: now,
        removedAt: null,
      });
      await manager.insert(MerchantUserEntity, user);
      await manager.update(MerchantUserInvitationEntity, { id: invitation.id }, { acceptedAt: now, acceptedUserId: user.id });
      await writeEvents(manager, [merchantAudit({ entityType: 'merchant_user', entityId: user.id, merchantId: user.merchantId, action: 'created', after: { email: user.email, name: user.name, role: user.role, invitationId: invitation.id } })]);
      return this.sessions.open(manager, user, input, now);
    });
    this.outbox.notify();
    return signedIn;
  }

  /** The invitation of a link, unused and unexpired (locked when `lock`), or its refusal. */
  private async usable(manager: EntityManager, tokenHash: string, lock: boolean): Promise<MerchantUserInvitationEntity> {
    if (!isTokenHash(tokenHash)) throw invitationInvalid();
    const invitation = await manager.findOne(MerchantUserInvitationEntity, { where: { tokenHash }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!invitation || invitation.acceptedAt || invitation.withdrawnAt) throw invitationInvalid();
    if (invitation.expiresAt.getTime() <= this.now().getTime()) throw invitationExpired();
    return invitation;
  }
}

function checkRole(role: unknown): MerchantUserRole {
  if (typeof role !== 'string' || !ROLES.has(role)) throw badUserInput('role', 'must be OWNER, DEVELOPER or ANALYST.');
  return role as MerchantUserRole;
}

/** Serializes a merchant's user changes (the owner count, unique emails) on its row. */
async function lockMerchant(manager: EntityManager, merchantId: string): Promise<void> {
  const rows: unknown[] = await manager.query(`SELECT id FROM "${SCHEMA_NAME}".merchants WHERE id = $1 FOR UPDATE`, [merchantId]);
  if (!rows.length) throw merchantNotFound(merchantId);
}

async function activeUserWith(manager: EntityManager, merchantId: string, email: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT 1 FROM "${SCHEMA_NAME}".merchant_users WHERE merchant_id = $1 AND email = $2 AND removed_at IS NULL`, [merchantId, email]);
  return rows.length > 0;
}

async function ownerCount(manager: EntityManager, merchantId: string): Promise<number> {
  const rows: Array<{ n: string }> = await manager.query(`SELECT count(*) AS n FROM "${SCHEMA_NAME}".merchant_users WHERE merchant_id = $1 AND role = 'OWNER' AND removed_at IS NULL`, [merchantId]);
  return Number(rows[0]!.n);
}
