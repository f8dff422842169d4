// Verifies a succeeded payment's attribution from what its event carries, asking no other
// subgraph (a worker that waited on checkout-session would fail whenever it is down):
//  - the AAP code (Ed25519, by key id, unexpired at payment time). A valid signature proves
//    checkout-session issued its claims: its snapshot of the recommendation (id, agent session,
//    offer, merchant, agent), the amount, and the checkout session the code pays for;
//  - the PSP's metadata against the claims;
//  - the payment against Handoff's own record of its intent (payment-intent's database, carried
//    in the event as `paymentIntent`, never the PSP's metadata): the checkout session it pays
//    must be the code's; the recommendation checkout-session recorded on that intent (its `aap_*`
//    ids) must be the code's, with the same session, offer, merchant and agent; the checkout
//    total checkout-session gave the intent must be what was paid;
//  - the amount and currency against the claims, and the payment status.
// The first failure names the flag. That the code has not paid before is the recorder's check
// (a unique key, in the conversion's transaction).
// A subscription's payment (the intent's own `recurring`, never the PSP's metadata) carries the
// code of the subscription's checkout: a renewal, and a trial's first charge (period 1 after the
// trial, off-session), are paid long after it was issued, at the plan's price of the period, and
// are intents of no checkout session or of an unbound one. So for any subscription period the
// code's expiry is not judged, nor the amounts against its claims or a checkout total (the price
// is payment-intent's record of the plan); the signature, the metadata, the merchant, the
// recommendation recorded on the intent and the currency are, and the checkout session when the
// intent names one. That the code pays each period once is the recorder's redemption.
import type { KeyObject } from 'node:crypto';
import { isCurrency, normalizeCurrency, verifyAttributionCode, type AttributionClaims, type PaymentIntentRecord } from '@handoff/shared';
import { UnrecoverableError } from 'bullmq';
import { billingPeriodOf } from '../commission/recurring-commission.js';
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
  publicKeys: Map<string, KeyObject>;
  issuer?: string;
}

/** The recommendation checkout-session recorded on the intent it created (the `aap_*` ids of Handoff's own record). */
function recommendationOf(intent: PaymentIntentRecord) {
  const m = intent.metadata ?? {};
  if (!m.aap_recommendation_id) return null;
  return { id: m.aap_recommendation_id, sessionId: m.aap_session_id, offerId: m.aap_offer_id, merchantId: m.aap_merchant_id, agentId: m.aap_agent_id };
}

export function verifyPaymentEvidence(p: PspEventPayload, opts: VerifyOptions): Evidence {
  const meta = p.object.metadata ?? {};
  const currency = p.object.currency && isCurrency(p.object.currency) ? normalizeCurrency(p.object.currency) : 'XXX';
  const amount = p.object.amount;
  if (amount === null) throw new UnrecoverableError(`PSP payment ${p.object.id} reported no amount`);
  const base: Evidence = {
    verification: 'verified',
    claims: null,
    agentId: meta.aap_agent_id ?? null,
    recommendationId: meta.aap_recommendation_id ?? null,
    sessionId: meta.aap_session_id ?? null,
    offerId: meta.aap_offer_id ?? null,
    currency,
    amountMinor: amount,
  };
  const flag = (reason: string): Evidence => ({ ...base, verification: `flagged:${reason}` });

  if (!meta.aap_code) return flag('missing_code');
  const recurring = billingPeriodOf(p.paymentIntent) !== null;
  // Expiry is judged at the payment's time: the PSP may deliver its webhook days later.
  const result = verifyAttributionCode(meta.aap_code, { publicKeys: opts.publicKeys, issuer: opts.issuer, now: p.pspEvent.created * 1000, ignoreExpiry: recurring });
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
  const intent = p.paymentIntent;
  const checkoutSessionId = intent?.checkoutSessionId ?? null;
  if (!intent || (!checkoutSessionId && !recurring)) return flag('unknown_payment');
  if (checkoutSessionId && checkoutSessionId !== c.checkoutSessionId) return flag('checkout_mismatch');

  // The signed claims are checkout-session's snapshot of the recommendation; the intent it
  // created for this checkout session must name that same recommendation.
  const rec = recommendationOf(intent);
  if (!rec) return flag('recommendation_not_found');
  if (rec.id !== c.recommendationId || rec.sessionId !== c.sessionId || rec.offerId !== c.offerId || rec.merchantId !== c.merchantId || rec.agentId !== c.agentId) {
    return flag('recommendation_mismatch');
  }

  if (currency !== c.currency) return flag('currency_mismatch');
  if (recurring) return p.object.status !== 'succeeded' ? flag('status_not_succeeded') : base;
  if (amount !== c.amountMinor) return flag('amount_mismatch');
  const total = intent.checkoutTotal ?? null;
  if (!total) return flag('checkout_not_found');
  if (total.currency !== currency) return flag('currency_mismatch');
  if (total.amountMinor !== amount) return flag('amount_mismatch');
  if (p.object.status !== 'succeeded') return flag('status_not_succeeded');
  return base;
}
