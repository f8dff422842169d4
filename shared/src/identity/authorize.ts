// Role checks used by resolvers (the services then filter every tenant query by principal).
import { forbidden, unauthenticated } from '../errors/codes.js';
import type { Principal } from './principal.js';

export type PrincipalOf<K extends Principal['kind']> = Extract<Principal, { kind: K }>;

/**
 * Why a row is being read: a query of the subgraph that owns it (`query`), or a reference from
 * another subgraph's entity whose owner has already authorized the parent (`reference`). The
 * tenancy rules (each concept's `<concept>.access.ts`) differ between the two only for agents
 * and hosted-page clients.
 */
export type ReadPurpose = 'query' | 'reference';

/** Throws UNAUTHENTICATED for an anonymous caller and FORBIDDEN for any other kind not listed. */
export function requireKind<K extends Principal['kind']>(principal: Principal, ...kinds: K[]): PrincipalOf<K> {
  if (principal.kind === 'ANONYMOUS') throw unauthenticated();
  if (!(kinds as string[]).includes(principal.kind)) throw forbidden();
  return principal as PrincipalOf<K>;
}

export function requireAuthenticated(principal: Principal): Exclude<Principal, { kind: 'ANONYMOUS' }> {
  if (principal.kind === 'ANONYMOUS') throw unauthenticated();
  return principal;
}

/** Admin, or the merchant itself. */
export function requireMerchantAccess(principal: Principal, merchantId: string): void {
  const p = requireKind(principal, 'ADMIN', 'MERCHANT', 'SERVICE');
  if (p.kind === 'MERCHANT' && p.merchantId !== merchantId) throw forbidden();
}
