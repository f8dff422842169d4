// Verifies a succeeded payment's attribution: the AAP code (Ed25519, by key id, unexpired at
// payment time), the metadata against the signed claims, the payment against the checkout
// session the code was issued for (Handoff's own record of the payment's intent, from
// payment-intent's database, never the metadata), the recommendation (exists, and its
// session, offer, merchant and agent match), the amount and currency against the claims and
// the checkout total, and the payment status. The first failure names the flag. That the code
// has not paid before is the recorder's check (a unique key, in the conversion's transaction).
import type { KeyObject } from 'node:crypto';
import { isCurrency, normalizeCurrency, verifyAttributionCode, type AttributionClaims } from '@handoff/shared';
import type { Directory } from '../directory/directory.js';
import type { PspEventPayload } from './psp-event.js';

export interface Evidence {
  /** `verified` or `flagged:<reason>`. */
  verification: string;
  claims: AttributionClaims | null;
  agentId: string | null;
  recommendationId: string | null;
  sessionId: string | null;
  offerId: string | null;
  currency: string;
  amountMinor: number;
}

const CODE_REASONS: Record<string, string> = {
  malformed: 'malformed_code',
  wrong_issuer: 'wrong_issuer',
  unknown_key: 'unknown_key',
  bad_signature: 'bad_signature',
  expired: 'expired_code',
};

export interface VerifyOptions {
  directory: Directory;
  publicKeys: Map<string, KeyObject>;
  issuer?: string;
}

export async function verifyPaymentEvidence(p: PspEventPayload, opts: VerifyOptions): Promise<Evidence> {
  const meta = p.object.metadata ?? {};
  const currency = isCurrency(p.object.currency) ? normalizeCurrency(p.object.currency) : 'XXX';
  const base: Evidence = {
    verification: 'verified',
    claims: null,
    agentId: meta.aap_agent_id ?? null,
    recommendationId: meta.aap_recommendation_id ?? null,
    sessionId: meta.aap_session_id ?? null,
    offerId: meta.aap_offer_id ?? null,
    currency,
    amountMinor: p.object.amount,
  };
  const flag = (reason: string): Evidence => ({ ...base, verification: `flagged:${reason}` });

  if (!meta.aap_code) return flag('missing_code');
  // Expiry is judged at the payment's time: the PSP may deliver its webhook days later.
  const result = verifyAttributionCode(meta.aap_code, { publicKeys: opts.publicKeys, issuer: opts.issuer, now: p.pspEvent.created * 1000 });
  if (!result.ok) return flag(CODE_REASONS[result.reason] ?? result.reason);
  const c = result.claims;
  Object.assign(base, { claims: c, agentId: c.agentId, recommendationId: c.recommendationId, sessionId: c.sessionId, offerId: c.offerId });

  const metaMatches =
    meta.aap_recommendation_id === c.recommendationId && meta.aap_session_id === c.sessionId &&
    meta.aap_offer_id === c.offerId && meta.aap_merchant_id === c.merchantId && meta.aap_agent_id === c.agentId;
  if (!metaMatches) return flag('metadata_mismatch');
  if (c.merchantId !== p.merchantId) return flag('merchant_mismatch');
  // The code pays only for the checkout session it was issued for: the payment's intent, as
  // payment-intent recorded it, must belong to that session.
  if (!c.checkoutSessionId) return flag('unbound_code');
  const checkoutSessionId = p.paymentIntent?.checkoutSessionId ?? null;
  if (!checkoutSessionId) return flag('unknown_payment');
  if (checkoutSessionId !== c.checkoutSessionId) return flag('checkout_mismatch');

  const rec = await opts.directory.recommendation(c.recommendationId);
  if (!rec) return flag('recommendation_not_found');
  if (rec.sessionId !== c.sessionId || rec.offerId !== c.offerId || rec.merchantId !== c.merchantId || rec.agentId !== c.agentId) {
    return flag('recommendation_mismatch');
  }

  if (currency !== c.currency) return flag('currency_mismatch');
  if (p.object.amount !== c.amountMinor) return flag('amount_mismatch');
  const total = await opts.directory.checkoutTotal(checkoutSessionId);
  if (!total) return flag('checkout_not_found');
  if (total.currency !== currency) return flag('currency_mismatch');
  if (total.amountMinor !== p.object.amount) return flag('amount_mismatch');
  if (p.object.status !== 'succeeded') return flag('status_not_succeeded');
  return base;
}
