// An agent's own checkout session (the ACP adapter at the gateway, /acp/{merchantId}): the agent
// names a merchant and its offers (ACP item id = offer id) with quantities, and may give the
// buyer, the shipping address and a shipping option at once; the session is the same checkout
// session as every other (lines from the offers' prices, tax categories resolved), filled in and
// priced once in its create transaction (acp-opening.ts: the buyer-facing mutations' validators
// and the calculation engine), owned by the agent (agent_id), so the agent and only it (and the
// merchant, admins) may change it with the buyer-facing mutations. Its payment intent is created
// after the commit, or, when the create defers it (the ACP routes), by preparePayment when it is
// paid. Its lines may be
// replaced while it is OPEN and not being paid; the calculation then becomes stale.
import { assertSubscriptionLines } from '../subscription-lines/subscription-lines.js';
import { badUserInput, invalidStateTransition, type IdempotencyStore, type Principal } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { table, type OutboxNotifier } from '../events.js';
import type { CheckoutPayments } from '../checkout-session/checkout-payment.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutMode } from '../checkout-session/checkout-session.enums.js';
import { assertMerchantCanSell, checkoutSessionCodec, insertCheckoutSession, insertLineRows, lineRowsOf, newCheckoutSessionId } from '../checkout-session/checkout-session.service.js';
import { DEFAULT_EXPIRES_IN_SECONDS, MAX_LINE_ITEMS, MAX_QUANTITY, type LineItemDraft } from '../checkout-session/checkout-session.validation.js';
import type { LineCatalog } from '../checkout-session/line-catalog.js';
import type { SessionOpening } from '../checkout-lifecycle/session-opening.js';
import { termsOf } from '../checkout-lifecycle/session-terms.js';
import { isCommittedToPay } from '../checkout-lifecycle/lifecycle-status.js';
import type { MerchantDirectory, OfferView } from '../ports/merchant.port.js';
import { merchantNotFound, offerInactive, offerNotFound } from '../recommendation/recommendation.service.js';
import { assertBuyerCanChange, type SessionChanger } from '../session-change/session-change.js';
import { checkBuyerDetails, rowsOf, type AgentBuyerDetailsInput, type AgentSessionPricing } from './acp-opening.js';
import { destinationChanged } from '../address/address.validation.js';
import { LineItemEntity } from '../checkout-session/line-item.entity.js';

export interface AgentLineSpec {
  offerId?: unknown;
  quantity?: unknown;
}

/** The lines as given: 1 to 100, each a non-empty offer id and a quantity 1 to 999 (BAD_USER_INPUT naming the field). */
export function checkAgentLines(lines: unknown, field = 'input.lineItems'): Array<{ offerId: string; quantity: number }> {
  if (!Array.isArray(lines) || lines.length === 0) throw badUserInput(field, 'must have at least one line item.');
  if (lines.length > MAX_LINE_ITEMS) throw badUserInput(field, `must have at most ${MAX_LINE_ITEMS} line items.`);
  return (lines as AgentLineSpec[]).map((l, i) => {
    const offerId = typeof l?.offerId === 'string' ? l.offerId.trim() : '';
    if (!offerId || offerId.length > 200) throw badUserInput(`${field}[${i}].offerId`, 'is required (an offer id).');
    const q = l.quantity;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) throw badUserInput(`${field}[${i}].quantity`, `must be an integer from 1 to ${MAX_QUANTITY}.`);
    return { offerId, quantity: q };
  });
}

export class AcpCheckoutService {
  constructor(
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantDirectory,
    private readonly catalog: LineCatalog,
    private readonly payments: CheckoutPayments,
    private readonly changer: SessionChanger,
    private readonly outbox: OutboxNotifier,
    private readonly opening?: SessionOpening,
    private readonly pricing?: AgentSessionPricing,
  ) {}

  async create(
    principal: Principal & { kind: 'AGENT' },
    input: { merchantId?: unknown; lineItems?: unknown; currency?: unknown; deferPaymentIntent?: unknown } & AgentBuyerDetailsInput,
    key: string | undefined,
  ): Promise<CheckoutSessionEntity> {
    const merchantId = typeof input?.merchantId === 'string' ? input.merchantId.trim() : '';
    if (!merchantId || merchantId.length > 200) throw badUserInput('input.merchantId', 'is required.');
    const wanted = checkAgentLines(input.lineItems);
    const expected = input.currency === undefined || input.currency === null ? null : String(input.currency).trim().toUpperCase();
    if (expected !== null && !/^[A-Z]{3}$/.test(expected)) throw badUserInput('input.currency', 'must be an ISO 4217 code.');
    const details = checkBuyerDetails(input);
    const defer = input.deferPaymentIntent === true;
    const cs = await this.idempotency.run(
      { principal, key, operation: 'createAgentCheckoutSession', input: { merchantId, lineItems: wanted, currency: expected, ...details, ...(defer ? { deferPaymentIntent: true } : {}) } },
      async (manager) => {
        const { lines, currency } = await this.linesOf(merchantId, wanted, 'input.lineItems');
        const mode = modeOfLines(lines);
        if (expected !== null && expected !== currency.toUpperCase()) throw badUserInput('input.currency', `does not match the offers' currency (${currency}).`);
        const id = newCheckoutSessionId();
        // Priced before the insert (a refusal writes nothing); recorded in its transaction.
        const priced = this.pricing ? await this.pricing.price({ id, merchantId, currency }, lines, details) : null;
        const totalMinor = lines.reduce((sum, l) => sum + l.totalMinor, 0);
        const inserted = await insertCheckoutSession(
          manager,
          {
            id,
            merchantId,
            agentId: principal.agentId,
            // Came through ACP: its agent gets the spec's order events (acp-order/).
            origin: 'acp',
            mode,
            currency,
            subtotalMinor: totalMinor,
            discountMinor: 0,
            taxMinor: 0,
            shippingMinor: 0,
            totalMinor,
            successUrl: null,
            cancelUrl: null,
            expiresAt: new Date(Date.now() + DEFAULT_EXPIRES_IN_SECONDS * 1000),
            customerEmail: details.customer?.customerEmail ?? null,
            metadata: {},
            agentSessionId: null,
            recommendationId: null,
            offerId: null,
            aapCode: null,
          },
          lines,
          { announceCreated: !priced },
        );
        if (priced) return this.pricing!.record(manager, inserted, details, priced);
        if (this.opening) await this.opening.record(manager, inserted.id, await this.opening.withDefaults(merchantId, { channel: 'agent' }), null);
        return inserted;
      },
      checkoutSessionCodec,
    );
    this.outbox.notify();
    return defer ? cs : this.payments.ensureIntent(cs);
  }

  /**
   * The session's payment intent, for its current calculation, created when it has none (a create
   * that deferred it; seed 003's "create / initialize payment intent" step); idempotent: concurrent
   * calls make one (payment-intent creates one per session, the session records it once).
   */
  async preparePayment(principal: Principal, id: string): Promise<CheckoutSessionEntity> {
    const cs = await this.changer.load(principal, id);
    if (cs.paymentIntentId) return cs;
    assertBuyerCanChange(cs);
    return this.payments.ensureIntent(cs);
  }

  /** Replaces the lines of a session the caller may change (OPEN, not being paid); the calculation becomes stale. */
  async setLines(principal: Principal, id: string, lineItems: unknown, expectedVersion: number | null, key?: string): Promise<CheckoutSessionEntity> {
    const wanted = checkAgentLines(lineItems, 'lineItems');
    return this.changer.change(
      principal,
      id,
      expectedVersion,
      async (cs) => {
        const { lines, currency } = await this.linesOf(cs.merchantId, wanted, 'lineItems');
        assertSubscriptionLines(cs.mode, lines);
        if (currency !== cs.currency) throw badUserInput('lineItems', `must be priced in the session's currency (${cs.currency}, not ${currency}).`);
        const [t] = await termsOf(this.changer.manager, [cs.id]);
        if (isCommittedToPay(cs, t ?? null)) {
          throw invalidStateTransition('The session is being paid: its lines can no longer change.', 'checkout_session:payment_processing');
        }
        const totalMinor = lines.reduce((sum, l) => sum + l.totalMinor, 0);
        return {
          changes: { calculationStale: true, subtotalMinor: totalMinor, discountMinor: 0, taxMinor: 0, shippingMinor: 0, totalMinor },
          write: (manager) => replaceLines(manager, cs.id, lines),
        };
      },
      { key, operation: 'setAgentCheckoutLineItems', input: wanted },
    );
  }

  /**
   * The ACP update in one change: lines (as setLines), buyer, shipping address (a new place drops a
   * shipping selection, as setCheckoutShippingAddress does), shipping option (the one named when
   * offered, else the one kept, else the first offered) and the calculation, priced once and stored
   * as current in the change's transaction. Nothing given: the session is priced as it is.
   */
  async update(principal: Principal, id: string, input: { lineItems?: unknown } & AgentBuyerDetailsInput, expectedVersion: number | null, key?: string): Promise<CheckoutSessionEntity> {
    if (!this.pricing) throw new Error('AcpCheckoutService.update needs AgentSessionPricing');
    const pricing = this.pricing;
    const wanted = input?.lineItems === undefined || input?.lineItems === null ? null : checkAgentLines(input.lineItems);
    const details = checkBuyerDetails(input ?? {}, { addressOnSession: true });
    return this.changer.change(
      principal,
      id,
      expectedVersion,
      async (cs) => {
        let lines: LineItemDraft[] | null = null;
        if (wanted) {
          const found = await this.linesOf(cs.merchantId, wanted, 'input.lineItems');
          assertSubscriptionLines(cs.mode, found.lines);
          if (found.currency !== cs.currency) throw badUserInput('input.lineItems', `must be priced in the session's currency (${cs.currency}, not ${found.currency}).`);
          const [t] = await termsOf(this.changer.manager, [cs.id]);
          if (isCommittedToPay(cs, t ?? null)) throw invalidStateTransition('The session is being paid: its lines can no longer change.', 'checkout_session:payment_processing');
          lines = found.lines;
        }
        const address = details.shippingAddress;
        const moved = address !== null && destinationChanged(cs.shippingAddress ?? null, address) && cs.selectedShipping?.kind !== 'PICKUP';
        const after = {
          ...cs,
          ...(details.customer ?? {}),
          ...(address ? { shippingAddress: address } : {}),
          ...(moved ? { selectedShipping: null } : {}),
        } as CheckoutSessionEntity;
        const rows = lines ? rowsOf(lines) : await this.changer.manager.find(LineItemEntity, { where: { checkoutSessionId: cs.id }, order: { position: 'ASC' } });
        const { prepared, selection } = await pricing.priceAs(after, rows, details.shippingOptionId);
        const t = prepared.calculation.totals;
        return {
          changes: {
            ...(details.customer ?? {}),
            ...(address ? { shippingAddress: address } : {}),
            selectedShipping: selection,
            calculationStale: false,
            subtotalMinor: t.subTotal,
            discountMinor: t.discountTotal,
            taxMinor: t.taxTotal,
            shippingMinor: t.shippingTotal,
            totalMinor: t.grandTotal,
          },
          write: async (manager) => {
            if (lines) await replaceLines(manager, cs.id, lines);
            return { calculationId: (await pricing.calculations.store(manager, prepared)).id };
          },
        };
      },
      { key, operation: 'updateAgentCheckoutSession', input: { lineItems: wanted, ...details } },
    );
  }

  /** The offers as lines (name and price from the offer), checked: the merchant's, active, one currency. */
  private async linesOf(merchantId: string, wanted: Array<{ offerId: string; quantity: number }>, field: string): Promise<{ lines: LineItemDraft[]; currency: string }> {
    const ids = [...new Set(wanted.map((w) => w.offerId))];
    const [merchant, ...offers] = await Promise.all([this.merchants.merchant(merchantId), ...ids.map((oid) => this.merchants.offer(oid))]);
    if (!merchant) throw merchantNotFound(merchantId);
    assertMerchantCanSell(merchant, merchantId);
    const byId = new Map<string, OfferView>();
    offers.forEach((o, i) => {
      if (!o || o.merchant.id !== merchantId) throw offerNotFound(ids[i]!);
      if (!o.active) throw offerInactive(ids[i]!);
      byId.set(o.id, o);
    });
    const currency = byId.get(wanted[0]!.offerId)!.price.currency;
    const drafts: LineItemDraft[] = wanted.map((w, i) => {
      const offer = byId.get(w.offerId)!;
      if (offer.price.currency !== currency) throw badUserInput(`${field}[${i}].offerId`, `is priced in ${offer.price.currency}; every line must be in ${currency}.`);
      return { name: offer.name.slice(0, 250), unitAmountMinor: offer.price.amountMinor, quantity: w.quantity, totalMinor: offer.price.amountMinor * w.quantity, offerId: offer.id, taxCategory: null, sku: null };
    });
    // An offer's recurring price comes with it (issue 22): such a line makes the session a SUBSCRIPTION (modeOfLines).
    return { lines: await this.catalog.resolve(merchantId, drafts, [...byId.values()], { recurringFromOffers: true }), currency };
  }
}

/**
 * An ACP session's mode, fixed at creation: SUBSCRIPTION when an offer has a recurring price (its
 * first payment or trial starts the billing subscription; the buyer pays it on the hosted page,
 * `continue_url`, since a delegated token cannot be kept for renewals), else PAYMENT. Lines that
 * make no subscription (mixed cycles, a trial with one-time lines) are SUBSCRIPTION_LINES_INVALID;
 * an update cannot change the mode (a recurring line in a PAYMENT session, or none left in a
 * SUBSCRIPTION one: SUBSCRIPTION_LINES_INVALID).
 */
function modeOfLines(lines: readonly LineItemDraft[]): CheckoutMode {
  const mode = lines.some((l) => l.recurring) ? CheckoutMode.SUBSCRIPTION : CheckoutMode.PAYMENT;
  assertSubscriptionLines(mode, lines);
  return mode;
}

async function replaceLines(manager: EntityManager, sessionId: string, lines: LineItemDraft[]): Promise<void> {
  await manager.query(`DELETE FROM ${table('checkout_line_items')} WHERE checkout_session_id = $1`, [sessionId]);
  await manager.query(insertLineRows('$1', '$2'), [sessionId, lineRowsOf(lines)]);
}
