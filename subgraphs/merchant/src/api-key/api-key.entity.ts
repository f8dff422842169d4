// An API key row in merchant.api_keys: only the SHA-256 hash and a visible prefix are stored.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiKeyRole } from './api-key.role.js';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) role: ApiKeyRole;
  /** Unique index: the gateway's lookup is one index probe. */
  @Column({ type: 'text', name: 'key_hash' }) keyHash: string;
  @Column({ type: 'text' }) prefix: string;
  @Column({ type: 'text', nullable: true }) name: string | null;
  @Column({ type: 'text', name: 'merchant_id', nullable: true }) merchantId: string | null;
  @Column({ type: 'text', name: 'agent_id', nullable: true }) agentId: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  /** When the gateway last resolved it, to the minute (api-key.service.ts principalForHash); null: never used. */
  @Column({ type: 'timestamptz', name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
}
