// The attribution (AAP) metadata an agent checkout puts on the payment: the signed code and
// the plain ids beside it (seed 000's six aap_* keys). Built only here, from server-side facts.
// The code binds what the session charges: when the buyer's choices (shipping, a promotion)
// change the grand total after the agent's checkout, the session commits to paying with the code
// re-issued for that total (reissueAttribution, from payment-commitment.ts).
import { readAttributionClaims, signAttributionCode, type AttributionSigner, type Money } from '@handoff/shared';

/**
 * The code outlives the checkout session: the PSP's webhook for a payment made just before
 * expiry may arrive days later (Stripe retries for 3 days), and the ledger must still verify it.
 */
export const AAP_CODE_GRACE_SECONDS = 7 * 24 * 60 * 60;

export interface AttributionFacts {
  recommendationId: string;
  sessionId: string;
  /** The checkout session the code is issued for: the ledger pays the code only for its payment. */
  checkoutSessionId: string;
  offerId: string;
  merchantId: string;
  agentId: string;
  amount: Money;
  issuedAt: Date;
  /** When the checkout session expires; the code lasts AAP_CODE_GRACE_SECONDS longer. */
  checkoutExpiresAt: Date;
}

export const AAP_METADATA_KEYS = [
  'aap_code',
  'aap_recommendation_id',
  'aap_session_id',
  'aap_offer_id',
  'aap_merchant_id',
  'aap_agent_id',
] as const;

export type AttributionMetadata = Record<(typeof AAP_METADATA_KEYS)[number], string>;

export function signAttribution(signer: AttributionSigner, facts: AttributionFacts): string {
  const issuedAt = Math.floor(facts.issuedAt.getTime() / 1000);
  return signAttributionCode(signer, {
    recommendationId: facts.recommendationId,
    sessionId: facts.sessionId,
    checkoutSessionId: facts.checkoutSessionId,
    offerId: facts.offerId,
    merchantId: facts.merchantId,
    agentId: facts.agentId,
    amountMinor: facts.amount.amountMinor,
    currency: facts.amount.currency,
    issuedAt,
    expiresAt: Math.floor(facts.checkoutExpiresAt.getTime() / 1000) + AAP_CODE_GRACE_SECONDS,
  });
}

export function attributionMetadata(code: string, ids: Omit<AttributionFacts, 'amount' | 'issuedAt' | 'checkoutExpiresAt' | 'checkoutSessionId'>): AttributionMetadata {
  return {
    aap_code: code,
    aap_recommendation_id: ids.recommendationId,
    aap_session_id: ids.sessionId,
    aap_offer_id: ids.offerId,
    aap_merchant_id: ids.merchantId,
    aap_agent_id: ids.agentId,
  };
}

/**
 * The session's code for `amount`: the stored code itself when it binds that amount already, else
 * the same claims re-signed with the new amount (the same issue and expiry times, so one amount
 * always gives one code: a return to earlier terms finds the code its PSP payment carries). Its
 * identity, for the ledger's "pays once", is the same (attributionCodeId).
 */
export function reissueAttribution(signer: AttributionSigner, code: string, amount: Money): string {
  const claims = readAttributionClaims(code);
  if (!claims || !claims.checkoutSessionId) throw new Error('the stored AAP code does not parse as a code bound to its checkout session');
  if (claims.amountMinor === amount.amountMinor && claims.currency === amount.currency) return code;
  return signAttributionCode(signer, { ...claims, checkoutSessionId: claims.checkoutSessionId, amountMinor: amount.amountMinor, currency: amount.currency });
}
