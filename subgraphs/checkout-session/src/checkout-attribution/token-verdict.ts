// The verdict on an attached attribution token (issue 21 item 4), before replay (which needs the
// database: attribution-touch.service.ts). Handoff's own AAP codes verify with the one verifier the
// ledger uses on the PSP's webhook (shared verifyAttributionCode: format, issuer, key id, Ed25519
// signature, expiry); then the claims must fit the session: the offer is one of its lines, the
// agent is the caller, the merchant is the session's, and a code naming a checkout session names
// this one. Another provider's token is recorded as UNVERIFIED_PROVIDER: Handoff cannot check it.
import type { KeyObject } from 'node:crypto';
import { verifyAttributionCode, type AttributionClaims } from '@handoff/shared';
import { AttributionTouchStatus } from './attribution-touch.type.js';

export const AAP_REASONS = {
  malformed: 'AAP_MALFORMED',
  wrong_issuer: 'AAP_WRONG_ISSUER',
  unknown_key: 'AAP_UNKNOWN_KEY',
  bad_signature: 'AAP_SIGNATURE_INVALID',
  expired: 'AAP_EXPIRED',
} as const;
export const AAP_BINDING_MISMATCH = 'AAP_BINDING_MISMATCH';
export const AAP_REPLAYED = 'AAP_REPLAYED';

export type TokenVerdict =
  | { status: AttributionTouchStatus.VERIFIED; reason: null; claims: AttributionClaims }
  | { status: AttributionTouchStatus.INVALID; reason: string; claims: null }
  | { status: AttributionTouchStatus.UNVERIFIED_PROVIDER; reason: null; claims: null };

export interface SessionBinding {
  checkoutSessionId: string;
  merchantId: string;
  /** The caller. */
  agentId: string;
  /** The offers of the session's lines. */
  offerIds: ReadonlySet<string>;
}

export interface VerifyKeys {
  issuer: string;
  publicKeys: Map<string, KeyObject>;
  now?: number;
}

const invalid = (reason: string): TokenVerdict => ({ status: AttributionTouchStatus.INVALID, reason, claims: null });

export function verdictOf(provider: string, token: string, session: SessionBinding, keys: VerifyKeys): TokenVerdict {
  if (provider !== keys.issuer) return { status: AttributionTouchStatus.UNVERIFIED_PROVIDER, reason: null, claims: null };
  const result = verifyAttributionCode(token, { publicKeys: keys.publicKeys, issuer: keys.issuer, now: keys.now });
  if (!result.ok) return invalid(AAP_REASONS[result.reason]);
  const c = result.claims;
  const fits =
    (c.checkoutSessionId === null || c.checkoutSessionId === session.checkoutSessionId) &&
    c.agentId === session.agentId &&
    c.merchantId === session.merchantId &&
    session.offerIds.has(c.offerId);
  return fits ? { status: AttributionTouchStatus.VERIFIED, reason: null, claims: c } : invalid(AAP_BINDING_MISMATCH);
}
