// Who is calling. The gateway resolves an API key (or a hosted page's client secret) to one of
// these and passes it, signed, to the subgraphs.
export const Role = { ADMIN: 'ADMIN', MERCHANT: 'MERCHANT', AGENT: 'AGENT' } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** A merchant portal user's role (docs/portal-auth.md): analysts only read; owners manage users and API keys. */
export const MerchantUserRole = { OWNER: 'OWNER', DEVELOPER: 'DEVELOPER', ANALYST: 'ANALYST' } as const;
export type MerchantUserRole = (typeof MerchantUserRole)[keyof typeof MerchantUserRole];
const USER_ROLES = new Set<string>(Object.values(MerchantUserRole));

export type Principal =
  | { kind: 'ADMIN'; keyId: string }
  /**
   * A merchant's API key, or a person signed in to the merchant portal (docs/portal-auth.md): then
   * `keyId` is `user:<userId>` and the user's id, role and portal session ride along.
   */
  | { kind: 'MERCHANT'; keyId: string; merchantId: string; userId?: string; userRole?: MerchantUserRole; portalSessionId?: string }
  | { kind: 'AGENT'; keyId: string; agentId: string }
  /** The hosted checkout page, holding one checkout session's client secret. */
  | {
      kind: 'CLIENT';
      checkoutSessionId: string;
      /**
       * A standalone payment intent's client (its client secret, client-secret.ts): only that intent.
       * `checkoutSessionId` is then `payment_intent:<id>` (intentClientScope), which no session has.
       */
      paymentIntentId?: string;
    }
  /** Handoff's own services calling each other (internal, signed calls). */
  | { kind: 'SERVICE'; service: string }
  | { kind: 'ANONYMOUS' };

export const anonymous: Principal = Object.freeze({ kind: 'ANONYMOUS' });

export function isPrincipal(value: unknown): value is Principal {
  if (!value || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  const str = (k: string) => typeof p[k] === 'string' && (p[k] as string).length > 0;
  switch (p.kind) {
    case 'ADMIN':
      return str('keyId');
    case 'MERCHANT': {
      // A portal user's principal carries all three of its user fields, or none.
      const user = ['userId', 'userRole', 'portalSessionId'].filter((k) => p[k] !== undefined);
      if (user.length && (user.length !== 3 || !str('userId') || !str('portalSessionId') || !USER_ROLES.has(p.userRole as string))) return false;
      return str('keyId') && str('merchantId');
    }
    case 'AGENT':
      return str('keyId') && str('agentId');
    case 'CLIENT':
      return str('checkoutSessionId');
    case 'SERVICE':
      return str('service');
    case 'ANONYMOUS':
      return true;
    default:
      return false;
  }
}
