// A recommendation's attribution token: the AAP code `recommend` returns (issue 21 item 4). The
// same signer and format as an agent checkout's code (shared/src/attribution), binding the
// recommendation, its agent session, offer, merchant and agent, the offer's price when recommended,
// and an expiry: the end of the agent session's recommendation window. It names no checkout
// session, so the ledger never pays it as it is; attachCheckoutAttribution verifies it and binds
// the recommendation to a checkout session by signing that session's own code.
import { signAttributionCode, type AttributionSigner, type Money } from '@handoff/shared';

export interface RecommendationTokenFacts {
  recommendationId: string;
  session: { id: string; expiresAt: Date };
  offerId: string;
  merchantId: string;
  agentId: string;
  price: Money;
  issuedAt: Date;
}

export function signRecommendationToken(signer: AttributionSigner, f: RecommendationTokenFacts): string {
  return signAttributionCode(signer, {
    recommendationId: f.recommendationId,
    sessionId: f.session.id,
    checkoutSessionId: null,
    offerId: f.offerId,
    merchantId: f.merchantId,
    agentId: f.agentId,
    amountMinor: f.price.amountMinor,
    currency: f.price.currency,
    issuedAt: Math.floor(f.issuedAt.getTime() / 1000),
    expiresAt: Math.floor(f.session.expiresAt.getTime() / 1000),
  });
}
