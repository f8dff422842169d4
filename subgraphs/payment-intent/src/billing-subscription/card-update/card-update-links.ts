// The buyer's card-update link (issue 22; docs/recurring.md "Card update link"), as Stripe's
// hosted "update payment method" link: the merchant asks for one (createCardUpdateLink, REST
// POST /v1/subscriptions/{id}/card_update_link), or finds a fresh one in the past-due webhook
// (subscription.updated with status past_due/unpaid, invoice.payment_failed: `card_update_url`),
// and sends it to its buyer, who opens the gateway's page (/billing/card-update/<token>).
//   A link is signed (shared card-update-token: the subscription, its merchant, the expiry, a
//   nonce), so making one writes nothing. It is used once: the nonce is recorded in the transaction
//   that replaces the card (replace-card.ts), its primary key refusing a second use.
//   The past-due webhooks' links: card-update-event-links.ts.
//   resolve(token): CARD_UPDATE_LINK_INVALID (malformed, forged, no such subscription, or signed
//   for another merchant than the subscription's), CARD_UPDATE_LINK_EXPIRED, CARD_UPDATE_LINK_USED.
import { badUserInput, cardUpdateTokenSignedFor, ErrorCode, HandoffError, issueCardUpdateToken, parseCardUpdateToken, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingSubscriptionService } from '../billing-subscription.service.js';
import { BillingSubscriptionStatus as B } from '../billing-subscription.states.js';
import { requireSubscriptionManager, subscriptionAlreadyCanceled } from '../lifecycle/cancel.js';

/** Where the gateway serves the buyer's page. */
export const CARD_UPDATE_PAGE_PATH = '/billing/card-update';
/** A link's life when the merchant names none, and the longest it may ask for (30 days). */
export const DEFAULT_LINK_SECONDS = 7 * 86_400;
export const MAX_LINK_SECONDS = 30 * 86_400;

export interface CardUpdateLink {
  url: string;
  expiresAt: Date;
}

export interface ResolvedLink {
  subscription: BillingSubscriptionEntity;
  nonce: string;
  expiresAt: Date;
}

export const linkInvalid = () => new HandoffError(ErrorCode.CARD_UPDATE_LINK_INVALID, 'This card update link is not valid.');
export const linkExpired = () => new HandoffError(ErrorCode.CARD_UPDATE_LINK_EXPIRED, 'This card update link has expired: ask the merchant for a new one.');
export const linkUsed = () => new HandoffError(ErrorCode.CARD_UPDATE_LINK_USED, 'This card update link was already used: ask the merchant for a new one.');

export class CardUpdateLinks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly internalSecret: string,
    /** The gateway's public base URL (PUBLIC_BASE_URL). */
    private readonly baseUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A link for the merchant's own subscription (an admin's: any); a canceled one is refused. A Stripe one (Stripe Billing renewing it or not) takes its card through Stripe.js (stripe-card-update.ts). */
  async create(principal: Principal, subscriptionId: string, expiresInSeconds: number | null | undefined): Promise<CardUpdateLink> {
    requireSubscriptionManager(principal);
    const seconds = expiresInSeconds ?? DEFAULT_LINK_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_LINK_SECONDS) throw badUserInput('expiresInSeconds', `must be a whole number of seconds from 1 to ${MAX_LINK_SECONDS} (30 days).`);
    const sub = await new BillingSubscriptionService(this.dataSource).getVisible(principal, subscriptionId);
    if (sub.status === B.CANCELED) throw subscriptionAlreadyCanceled(sub.id);
    return this.linkFor(sub, seconds);
  }

  /** A fresh link for the subscription (no checks: the caller's), e.g. for its past-due webhook. */
  linkFor(sub: Pick<BillingSubscriptionEntity, 'id' | 'merchantId'>, seconds = DEFAULT_LINK_SECONDS): CardUpdateLink {
    const expiresAt = new Date(Math.floor((this.now().getTime() + seconds * 1000) / 1000) * 1000);
    const token = issueCardUpdateToken(sub.id, sub.merchantId, expiresAt, this.internalSecret);
    return { url: `${this.baseUrl.replace(/\/+$/, '')}${CARD_UPDATE_PAGE_PATH}/${token}`, expiresAt };
  }

  /** The subscription a buyer's token opens, checked (signature, expiry, one use); refusals as in the header. */
  async resolve(token: string, manager: EntityManager = this.dataSource.manager): Promise<ResolvedLink> {
    const parsed = parseCardUpdateToken(token);
    if (!parsed) throw linkInvalid();
    const subscription = await manager.findOneBy(BillingSubscriptionEntity, { id: parsed.subscriptionId });
    if (!subscription || !cardUpdateTokenSignedFor(token, subscription.merchantId, this.internalSecret)) throw linkInvalid();
    if (parsed.expiresAt.getTime() <= this.now().getTime()) throw linkExpired();
    if (await linkWasUsed(manager, parsed.nonce)) throw linkUsed();
    return { subscription, nonce: parsed.nonce, expiresAt: parsed.expiresAt };
  }
}

export async function linkWasUsed(manager: EntityManager, nonce: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT 1 FROM payment.billing_card_update_link_uses WHERE nonce = $1`, [nonce]);
  return rows.length > 0;
}

/** Records the link's one use, in the transaction replacing the card; CARD_UPDATE_LINK_USED when it was used already (racing or before). */
export async function useLink(manager: EntityManager, nonce: string, subscriptionId: string): Promise<void> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO payment.billing_card_update_link_uses (nonce, subscription_id) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING RETURNING nonce`,
    [nonce, subscriptionId],
  );
  if (rows.length !== 1) throw linkUsed();
}
