// The card-update link in a past-due subscription's webhooks (issue 22; docs/recurring.md "Card
// update link"): subscription.updated while past_due or unpaid, and invoice.payment_failed, carry
// `card_update_url` (a fresh signed link, card-update-links.ts) and `card_update_url_expires_at`,
// so a merchant can email it. The events are written deep in the change functions
// (billing-subscription.events.ts), which have no app wiring: the app sets the issuer once at
// start; with none (unit tests), no link. Imports nothing of the subscription's modules (no cycle).
import { BillingSubscriptionStatus as B } from '../billing-subscription.states.js';

export interface EventLinkIssuer {
  linkFor(sub: { id: string; merchantId: string }): { url: string; expiresAt: Date };
}

let issuer: EventLinkIssuer | null = null;

export function useCardUpdateLinksInEvents(links: EventLinkIssuer | null): void {
  issuer = links;
}

/**
 * The link's fields for a webhook payload, or none when the subscription takes no link: it is canceled, or (`failedPayment` false: subscription.updated) it is not past due or
 * unpaid. invoice.payment_failed is written before the subscription's move to PAST_DUE: it always
 * carries one (a failed payment is what the link is for).
 */
export function cardUpdateLinkFields(s: { id: string; merchantId: string; status: string }, failedPayment = false): Record<string, unknown> {
  if (!issuer || s.status === B.CANCELED) return {};
  if (!failedPayment && s.status !== B.PAST_DUE && s.status !== B.UNPAID) return {};
  const link = issuer.linkFor(s);
  return { card_update_url: link.url, card_update_url_expires_at: Math.floor(link.expiresAt.getTime() / 1000) };
}
