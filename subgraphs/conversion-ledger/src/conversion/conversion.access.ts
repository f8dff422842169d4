// Which conversions a principal may read and change. Every read of conversions goes through
// here: by id (conversionScope), in reporting's raw SQL (scopeConversions), and in the replay of
// conversion events (conversionScope on the event's payload).
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { Where } from '../sql-where.js';
import type { ConversionEntity } from './conversion.entity.js';

/** The owner columns a principal's conversions must match (empty: all of them). */
export interface ConversionScope {
  merchantId?: string;
  agentId?: string;
}

/**
 * The conversions a principal may see, or null for none: admin and Handoff's services all; a
 * merchant its own; an agent those it earned. The hosted page sees none. Anonymous → UNAUTHENTICATED.
 */
export function conversionScope(principal: Principal): ConversionScope | null {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return {};
    case 'MERCHANT':
      return { merchantId: p.merchantId };
    case 'AGENT':
      return { agentId: p.agentId };
    case 'CLIENT':
      return null;
  }
}

/** Narrows `w` (conversions as alias `alias`) to those `principal` may see (conversionScope); false when none. */
export function scopeConversions(w: Where, alias: string, principal: Principal): boolean {
  const scope = conversionScope(principal);
  if (!scope) return false;
  if (scope.merchantId !== undefined) w.add((x) => `${alias}.merchant_id = ${x}`, scope.merchantId);
  if (scope.agentId !== undefined) w.add((x) => `${alias}.agent_id = ${x}`, scope.agentId);
  return true;
}

/**
 * Whether `principal` may record a milestone on `c`: an admin any, a merchant its own (another
 * merchant's reads as not found). Callers check the principal's kind first.
 */
export function mayRecordMilestone(principal: Principal, c: ConversionEntity): boolean {
  return principal.kind !== 'MERCHANT' || c.merchantId === principal.merchantId;
}
