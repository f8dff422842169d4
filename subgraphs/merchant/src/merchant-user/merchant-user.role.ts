// A portal user's role as GraphQL shows it; the values are shared/src/identity/principal.ts's MerchantUserRole.
import { MerchantUserRole as SharedRole } from '@handoff/shared';
import { registerEnumType } from 'type-graphql';

export enum MerchantUserRole {
  OWNER = 'OWNER',
  DEVELOPER = 'DEVELOPER',
  ANALYST = 'ANALYST',
}
registerEnumType(MerchantUserRole, {
  name: 'MerchantUserRole',
  description: 'What a portal user may do: OWNER everything (users, API keys), DEVELOPER everything else, ANALYST only read.',
});

// Compile-time check that the two role lists agree.
const _same: Record<SharedRole, MerchantUserRole> = { OWNER: MerchantUserRole.OWNER, DEVELOPER: MerchantUserRole.DEVELOPER, ANALYST: MerchantUserRole.ANALYST };
void _same;
