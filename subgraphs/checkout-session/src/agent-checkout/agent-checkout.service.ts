// Agent checkout (seed 000): validate in the documented order, then create a checkout session
// for the recommended offer carrying the signed attribution, then its payment intent.
//   step 1 (one transaction, idempotent with a key): validate → session + line + AAP code
//   step 2 (after commit): payment intent at the merchant's PSP → recorded; agent session CHECKOUT
// A retry with the same key returns the same session and resumes step 2 (idempotent per session).
// One payable checkout per recommendation, key or no key: a second checkout of a recommendation
// returns its OPEN session (same intent, same code); a paid one is refused
// (RECOMMENDATION_ALREADY_CHECKED_OUT); after expiry or cancellation a new one is minted. The
// agent session's row lock serialises them; a partial unique index backs it.
import { badUserInput, money, type AttributionSigner, type IdempotencyStore, type Principal } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import { recommendationNotFound, sessionExpired, sessionNotFound } from '../agent-session/agent-session.errors.js';
import { isAgentSessionExpired } from '../agent-session/agent-session.states.js';
import type { MerchantDirectory } from '../ports/merchant.port.js';
import { table, type OutboxNotifier } from '../events.js';
import { loadSellableOffer, merchantNotFound } from '../recommendation/recommendation.service.js';
import { describeLines, type CheckoutPayments } from '../checkout-session/checkout-payment.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutMode, CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { recommendationAlreadyCheckedOut } from '../checkout-session/checkout-session.errors.js';
import { assertMerchantCanSell, checkoutSessionCodec, insertCheckoutSession, newCheckoutSessionId } from '../checkout-session/checkout-session.service.js';
import { transitionCheckoutSession } from '../checkout-session/checkout-session.transition.js';
import { checkoutWebhookEvent, checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { changeEntries } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { DEFAULT_EXPIRES_IN_SECONDS } from '../checkout-session/checkout-session.validation.js';
import { signAttribution } from './attribution.js';
import type { SessionOpening } from '../checkout-lifecycle/session-opening.js';
import type { LineCatalog } from '../checkout-session/line-catalog.js';
import { assertSubscriptionLines } from '../subscription-lines/subscription-lines.js';
import { termsOrDefault } from '../checkout-lifecycle/session-terms.js';

/** The buyer's country from an agent's userDetails (`country`, or `address.country`), when it is a two-letter code. */
export function buyerCountryOf(userDetails: unknown): string | null {
  if (!userDetails || typeof userDetails !== 'object') return null;
  const d = userDetails as { country?: unknown; address?: { country?: unknown } | null };
  const raw = typeof d.country === 'string' ? d.country : typeof d.address?.country === 'string' ? d.address.country : null;
  const country = raw?.trim().toUpperCase() ?? '';
  return /^[A-Z]{2}$/.test(country) ? country : null;
}

export interface CheckoutSpec {
  sessionId?: string | null;
  recommendationId?: string | null;
  userDetails?: unknown;
}

const MAX_USER_DETAILS_BYTES = 8 * 1024;

export class AgentCheckoutService {
  constructor(
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantDirectory,
    private readonly payments: CheckoutPayments,
    private readonly signer: AttributionSigner,
    private readonly outbox: OutboxNotifier,
    /** Prices the offer through the calculation engine when its merchant configured tax, shipping or promotions. */
    private readonly opening?: SessionOpening,
    private readonly catalog?: LineCatalog,
  ) {}

  async checkout(principal: Principal & { kind: 'AGENT' }, input: CheckoutSpec, key: string | undefined): Promise<CheckoutSessionEntity> {
    const sessionId = typeof input?.sessionId === 'string' ? input.sessionId.trim() : '';
    const recommendationId = typeof input?.recommendationId === 'string' ? input.recommendationId.trim() : '';
    if (!sessionId || !recommendationId || sessionId.length > 200 || recommendationId.length > 200) {
      throw badUserInput(!sessionId || sessionId.length > 200 ? 'sessionId' : 'recommendationId', 'sessionId and recommendationId are required.');
    }
    const userDetails = input.userDetails ?? null;
    if (userDetails !== null && (typeof userDetails !== 'object' || Array.isArray(userDetails))) {
      throw badUserInput('userDetails', 'must be an object.');
    }
    if (JSON.stringify(userDetails).length > MAX_USER_DETAILS_BYTES) throw badUserInput('userDetails', 'is too large.');

    // Set when this call built the session (not on a replay): the payment's description, which
    // would otherwise be read back from the session's line.
    let description: string | undefined;
    // Whether this call ran the transaction (which may have written outbox rows), not a stored answer.
    let wrote = false;
    const cs = await this.idempotency.run(
      { principal, key, operation: 'checkout', input: { sessionId, recommendationId, userDetails } },
      async (manager) => {
        wrote = true;
        const opened = await this.openCheckoutSession(manager, principal.agentId, sessionId, recommendationId, buyerCountryOf(userDetails));
        description = opened.description;
        return opened.session;
      },
      checkoutSessionCodec,
    );
    // The relay is told once per checkout: recording the intent (ensureIntent's last commit) tells
    // it, and its pass publishes this transaction's rows too (committed before). Told here when
    // ensureIntent records nothing: the session had its intent, or the payment step failed.
    const recording = wrote && !cs.paymentIntentId;
    try {
      // A session this call built has no terms row yet (an agent's checkout sets no capture mode;
      // pricing writes its channel only): the default capture mode, without reading it back.
      return await this.payments.ensureIntent(cs, description, description === undefined ? undefined : termsOrDefault(null).captureMode);
    } catch (err) {
      if (recording) this.outbox.notify();
      throw err;
    } finally {
      if (wrote && !recording) this.outbox.notify();
    }
  }

  /** Validation in seed 000's order, then the session; all in the idempotency transaction. */
  private async openCheckoutSession(
    manager: EntityManager,
    agentId: string,
    sessionId: string,
    recommendationId: string,
    buyerCountry: string | null,
  ): Promise<{ session: CheckoutSessionEntity; description?: string }> {
    // The session (locked: concurrent checkouts of one session queue here) and the
    // recommendation, in one statement.
    const [session] = (await manager.query(
      `SELECT s.id, s.status, s.expires_at AS "expiresAt", r.id AS "recId", r.offer_id AS "offerId", r.merchant_id AS "merchantId"
         FROM ${table('agent_sessions')} s
         LEFT JOIN ${table('recommendations')} r ON r.id = $3 AND r.agent_session_id = s.id
        WHERE s.id = $1 AND s.agent_id = $2
          FOR UPDATE OF s`,
      [sessionId, agentId, recommendationId],
    )) as Array<{ id: string; status: AgentSessionStatus; expiresAt: Date; recId: string | null; offerId: string | null; merchantId: string | null }>;
    if (!session) throw sessionNotFound(sessionId);
    const now = new Date();
    if (isAgentSessionExpired(session, now)) throw sessionExpired(sessionId);
    if (!session.recId) throw recommendationNotFound(recommendationId);
    const rec = { id: session.recId, offerId: session.offerId!, merchantId: session.merchantId! };
    const open = await this.openCheckoutOf(manager, rec.id, now);
    if (open) return { session: open };
    const offer = await loadSellableOffer(this.merchants, rec.offerId);
    if (offer.merchant.id !== rec.merchantId) throw merchantNotFound(rec.merchantId);
    assertMerchantCanSell(offer.merchant, rec.merchantId);

    const expiresAt = new Date(now.getTime() + DEFAULT_EXPIRES_IN_SECONDS * 1000);
    // The code names its checkout session, so the session's id is chosen before it is signed.
    const checkoutSessionId = newCheckoutSessionId();
    // An offer sold by subscription (a recurring price) makes a SUBSCRIPTION session: its first
    // payment (or trial) at checkout starts the billing subscription, whose renewals carry this
    // session's signed attribution (the intent's aap_* metadata), so each paid period can earn the
    // builder's recurring commission (docs/recurring.md).
    const recurring = offer.recurring ?? null;
    const mode = recurring ? CheckoutMode.SUBSCRIPTION : CheckoutMode.PAYMENT;
    const offered = [{ name: offer.name, unitAmountMinor: offer.price.amountMinor, quantity: 1, totalMinor: offer.price.amountMinor, offerId: offer.id, taxCategory: null, sku: null, recurring }];
    // The line keeps its effective tax category (the offer's, else the merchant's default).
    const lines = this.catalog ? await this.catalog.resolve(offer.merchant.id, offered, [offer], { recurringFromOffers: recurring !== null }) : offered;
    assertSubscriptionLines(mode, lines);
    // A merchant that prices checkouts (tax, shipping, promotions): the offer as one line with its
    // tax category, taxed where the buyer is (userDetails' country) or else where the merchant is;
    // digital unless the merchant configured shipping. The code's amount is the grand total.
    const country = buyerCountry ?? offer.merchant.country ?? null;
    const prepared = this.opening
      ? await this.opening.price({ id: checkoutSessionId, merchantId: offer.merchant.id, currency: offer.price.currency, customerEmail: null }, lines, {
          taxCategories: [offer.taxCategory],
          shipsWhenConfigured: true,
          destination: country ? { country } : null,
        })
      : null;
    const charged = prepared ? money(prepared.calculation.totals.grandTotal, offer.price.currency) : offer.price;
    const aapCode = signAttribution(this.signer, {
      recommendationId: rec.id,
      sessionId: session.id,
      checkoutSessionId,
      offerId: offer.id,
      merchantId: offer.merchant.id,
      agentId,
      amount: charged,
      issuedAt: now,
      checkoutExpiresAt: expiresAt,
    });
    const cs = await insertCheckoutSession(
      manager,
      {
        id: checkoutSessionId,
        merchantId: offer.merchant.id,
        agentId,
        mode,
        currency: offer.price.currency,
        subtotalMinor: offer.price.amountMinor,
        discountMinor: 0,
        taxMinor: 0,
        shippingMinor: 0,
        totalMinor: offer.price.amountMinor,
        successUrl: null,
        cancelUrl: null,
        expiresAt,
        customerEmail: null,
        metadata: {},
        agentSessionId: session.id,
        recommendationId: rec.id,
        offerId: offer.id,
        aapCode,
      },
      lines,
      // Priced at once below: its checkout.created shows the calculation's totals.
      { announceCreated: !(prepared && this.opening) },
    );
    if (prepared && this.opening) {
      await this.opening.record(manager, cs.id, { channel: 'agent' }, prepared);
      const priced = await manager.findOneByOrFail(CheckoutSessionEntity, { id: cs.id });
      // Its checkout.created, and its first calculation on its timeline, with the calculation.
      await recordCheckoutChange(manager, [checkoutWebhookEvent('checkout.created', priced, null)], changeEntries(priced, checkoutWebhookObject(cs), checkoutWebhookObject(priced)));
      return { session: priced, description: describeLines(cs.id, lines) };
    }
    return { session: cs, description: describeLines(cs.id, lines) };
  }

  /**
   * The recommendation's OPEN checkout session, to hand out again; null when a new one may be
   * minted (none yet, or only expired or canceled ones: an OPEN one past its expiry is expired
   * here, and the sweep cancels its intent). A paid one refuses.
   */
  private async openCheckoutOf(manager: EntityManager, recommendationId: string, now: Date): Promise<CheckoutSessionEntity | null> {
    // Not locked: the agent session's lock already orders checkouts, and recording an intent
    // locks a checkout session before its agent session (the other order would deadlock). A plain
    // statement: a recommendation's first checkout (the usual case) finds none, and the entities
    // are loaded only when there are some.
    const found = (await manager.query(
      `SELECT id FROM ${table('checkout_sessions')} WHERE recommendation_id = $1 AND status = ANY($2::text[])`,
      [recommendationId, [CheckoutSessionStatus.OPEN, CheckoutSessionStatus.COMPLETE]],
    )) as Array<{ id: string }>;
    if (found.length === 0) return null;
    const earlier = await manager.find(CheckoutSessionEntity, {
      where: [
        { recommendationId, status: CheckoutSessionStatus.OPEN },
        { recommendationId, status: CheckoutSessionStatus.COMPLETE },
      ],
    });
    if (earlier.some((cs) => cs.status === CheckoutSessionStatus.COMPLETE || cs.paymentMismatch !== null)) {
      throw recommendationAlreadyCheckedOut(recommendationId);
    }
    let open: CheckoutSessionEntity | null = null;
    for (const cs of earlier) {
      if (cs.expiresAt.getTime() > now.getTime()) open = cs;
      else await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.EXPIRED);
    }
    return open;
  }
}
