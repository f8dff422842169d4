// The role an API key grants; values equal keys and match the shared `Role`.
import type { Role } from '@handoff/shared';
import { registerEnumType } from 'type-graphql';

export enum ApiKeyRole {
  AGENT = 'AGENT',
  MERCHANT = 'MERCHANT',
  ADMIN = 'ADMIN',
}
registerEnumType(ApiKeyRole, { name: 'ApiKeyRole', description: 'Whom a key acts for: an agent, a merchant, or an admin.' });

// Compile-time check that the two role lists agree.
const _sameRoles: Record<Role, ApiKeyRole> = { AGENT: ApiKeyRole.AGENT, MERCHANT: ApiKeyRole.MERCHANT, ADMIN: ApiKeyRole.ADMIN };
void _sameRoles;
