// The timeline entry of an attached attribution: checkout.attribution_verified, or
// checkout.attribution_flagged for an invalid or unverifiable one (never the token itself).
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { actingNow, type TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { AttributionTouchStatus, type AttributionTouchpoint } from './attribution-touch.type.js';

/** A recorded touch: the verdict on one affiliate_attribution a session was given. */
export interface TouchRow {
  checkoutSessionId: string;
  touchpoint: AttributionTouchpoint;
  provider: string;
  status: AttributionTouchStatus;
  reason: string | null;
  recommendationId: string | null;
  at: Date;
}

export function attributionTouchEntry(cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId'>, t: TouchRow, bound: boolean): TimelineEntryDraft {
  const verified = t.status === AttributionTouchStatus.VERIFIED;
  const touch = t.touchpoint.toLowerCase();
  const summary = verified
    ? `Attribution (${touch} touch) from ${t.provider} verified for recommendation ${t.recommendationId}${bound ? ': the payment carries it' : ''}`
    : t.status === AttributionTouchStatus.INVALID
      ? `Attribution (${touch} touch) from ${t.provider} flagged: ${t.reason}; it earns nothing, the purchase goes on`
      : `Attribution (${touch} touch) from ${t.provider} recorded unverified: not Handoff's provider; it earns nothing here`;
  return {
    checkoutId: cs.id,
    merchantId: cs.merchantId,
    kind: verified ? 'checkout.attribution_verified' : 'checkout.attribution_flagged',
    at: t.at,
    summary: summary.slice(0, 500),
    actor: actingNow(),
    data: { touchpoint: t.touchpoint, provider: t.provider, status: t.status, reason: t.reason, recommendation_id: t.recommendationId, bound },
  };
}
