// The merchant portal's accounts in the merchant schema (docs/portal-auth.md): users, their
// one-time invitations, portal sessions and failed logins. Tokens are kept as SHA-256 hashes only.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { MerchantUserRole } from './merchant-user.role.js';

@Entity({ name: 'merchant_users' })
export class MerchantUserEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  /** Lower-cased; unique per merchant among users not removed. */
  @Column({ type: 'text' }) email: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) role: MerchantUserRole;
  /** argon2id, PHC string. */
  @Column({ type: 'text', name: 'password_hash', select: false }) passwordHash: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'removed_at', nullable: true }) removedAt: Date | null;
}

@Entity({ name: 'merchant_user_invitations' })
export class MerchantUserInvitationEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text' }) email: string;
  @Column({ type: 'text' }) role: MerchantUserRole;
  @Column({ type: 'text', name: 'token_hash' }) tokenHash: string;
  /** The inviter's actor id (`user:<id>` or the admin key's id). */
  @Column({ type: 'text', name: 'invited_by' }) invitedBy: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt: Date;
  @Column({ type: 'timestamptz', name: 'accepted_at', nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'text', name: 'accepted_user_id', nullable: true }) acceptedUserId: string | null;
  /** Set when an owner withdrew it: its link no longer works. */
  @Column({ type: 'timestamptz', name: 'withdrawn_at', nullable: true }) withdrawnAt: Date | null;
}

@Entity({ name: 'portal_sessions' })
export class PortalSessionEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text', name: 'user_id' }) userId: string;
  @Column({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @Column({ type: 'text', name: 'token_hash' }) tokenHash: string;
  @Column({ type: 'text', name: 'user_agent', nullable: true }) userAgent: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'last_seen_at' }) lastSeenAt: Date;
  /** The absolute end (created + 7 days); the idle end is lastSeenAt + the idle timeout. */
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}

@Entity({ name: 'portal_login_failures' })
export class PortalLoginFailureEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  /** SHA-256 of `<lower-cased email>\n<ip>`. */
  @Column({ type: 'text', name: 'throttle_key' }) throttleKey: string;
  @Column({ type: 'timestamptz', name: 'failed_at' }) failedAt: Date;
}
