// Hosted and embedded checkout (seed 003 §12): a hosted link (a URL whose token expires, with an id
// a redirect return asks about) and an embed token (for an iframe or SDK: Bearer, read and pay this
// one session only, short-lived). Both tokens are checkout tokens (shared/src/identity/
// checkout-token.ts): the gateway turns them into the hosted page's CLIENT principal, confined to
// the session and to the client allow-list, until they expire. Only an OPEN session gets one.
import { badUserInput, ErrorCode, HandoffError, issueCheckoutToken, notFound, requireKind, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { sessionNotFinalizable } from '../order/order.errors.js';
import { HostedLinkEntity } from './hosted-link.entity.js';

export const HOSTED_TTL = { default: 3600, min: 60, max: 86_400 } as const;
export const EMBED_TTL = { default: 900, min: 60, max: 3600 } as const;

export interface SessionFinder {
  findVisible(p: Principal, id: string): Promise<CheckoutSessionEntity | null>;
}

export interface HostedLink {
  link: HostedLinkEntity;
  url: string;
}

export interface EmbedToken {
  token: string;
  checkoutSessionId: string;
  expiresAt: Date;
}

const hostedNotFound = (id: string) => notFound(ErrorCode.HOSTED_CHECKOUT_NOT_FOUND, `Hosted checkout not found: ${id}.`);

function ttlOf(value: number | null | undefined, field: string, bounds: { default: number; min: number; max: number }): number {
  if (value === null || value === undefined) return bounds.default;
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) throw badUserInput(field, `must be a whole number of seconds from ${bounds.min} to ${bounds.max}.`);
  return value;
}

export class HostedCheckoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionFinder,
    private readonly publicBaseUrl: string,
    private readonly internalSecret: string,
  ) {}

  async createHostedLink(principal: Principal, id: string, ttlSeconds?: number | null): Promise<HostedLink> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const ttl = ttlOf(ttlSeconds, 'ttlSeconds', HOSTED_TTL);
    const cs = await this.openSession(p, id);
    const expiresAt = this.expiry(cs, ttl);
    const link = this.dataSource.manager.create(HostedLinkEntity, { id: `hc_${ulid()}`, checkoutSessionId: cs.id, merchantId: cs.merchantId, expiresAt });
    await this.dataSource.manager.insert(HostedLinkEntity, link);
    const token = issueCheckoutToken(cs.id, 'hosted', expiresAt, this.internalSecret);
    return { link, url: `${this.publicBaseUrl}/checkout/${encodeURIComponent(cs.id)}?cs=${encodeURIComponent(token)}` };
  }

  async createEmbedToken(principal: Principal, id: string, ttlSeconds?: number | null): Promise<EmbedToken> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const ttl = ttlOf(ttlSeconds, 'ttlSeconds', EMBED_TTL);
    const cs = await this.openSession(p, id);
    const expiresAt = this.expiry(cs, ttl);
    return { token: issueCheckoutToken(cs.id, 'embed', expiresAt, this.internalSecret), checkoutSessionId: cs.id, expiresAt };
  }

  /** A hosted link of the caller's (a merchant's own, any for an admin), and its session. */
  async hostedLink(principal: Principal, hostedId: string): Promise<{ link: HostedLinkEntity; session: CheckoutSessionEntity }> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const link = await this.dataSource.manager.findOneBy(HostedLinkEntity, { id: hostedId });
    if (!link || (p.kind === 'MERCHANT' && link.merchantId !== p.merchantId)) throw hostedNotFound(hostedId);
    const session = await this.sessions.findVisible(p, link.checkoutSessionId);
    if (!session) throw hostedNotFound(hostedId);
    return { link, session };
  }

  private async openSession(p: Principal, id: string): Promise<CheckoutSessionEntity> {
    const cs = await this.sessions.findVisible(p, id);
    if (!cs) throw checkoutSessionNotFound(id);
    const status = effectiveStatus(cs);
    if (status === CheckoutSessionStatus.EXPIRED) throw new HandoffError(ErrorCode.CHECKOUT_SESSION_EXPIRED, `Checkout session ${cs.id} has expired.`, { reason: 'checkout_session:expired' });
    if (status !== CheckoutSessionStatus.OPEN) throw sessionNotFinalizable(cs.id, status);
    return cs;
  }

  /** Now + ttl, never past the session's own expiry (whole seconds: the token's precision). */
  private expiry(cs: CheckoutSessionEntity, ttlSeconds: number): Date {
    const at = Math.min(Date.now() + ttlSeconds * 1000, cs.expiresAt.getTime());
    return new Date(Math.floor(at / 1000) * 1000);
  }
}
