// What a new checkout session gets beyond its lines (issue 18, part B2): its seed 003 terms and
// an explicit currency that must match its lines; and, for an agent's checkout of a merchant
// that prices checkouts (any shipping, tax or promotion configuration), a first calculation, so
// the attribution code and the payment are for the calculated grand total, never the bare price.
// (A merchant's own session is calculated by the buyer surface, calculateCheckout; its payment
// is bound to that calculation when it is confirmed: payment-commitment.ts.)
//   check(input, linesCurrency)            → the terms; BAD_USER_INPUT before anything is written
//   withDefaults(merchantId, terms)        → the merchant's default capture mode when the session gives none
//   price(session, lines, opts)            → the computed calculation, or null (unpriced merchant)
//   record(manager, sessionId, terms, prepared)  in the create transaction: the terms row, the
//                                            snapshot, and the session's totals from it
import { badUserInput, DEFAULT_CHECKOUT_RULES, normalizeCurrency } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { merchantShips, type CalculationLineInput, type CalculationService, type PreparedCalculation } from '../calculation/index.js';
import { table } from '../events.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { LineItemDraft } from '../checkout-session/checkout-session.validation.js';
import type { LineItemEntity } from '../checkout-session/line-item.entity.js';
import { sessionPricingInput } from '../session-calculation/session-pricing.js';
import { hasPricingConfig } from './payment-commitment.js';
import { checkTerms, writeTerms, type SessionTerms, type TermsSpec } from './session-terms.js';

export interface OpeningSpec extends TermsSpec {
  currency?: string | null;
}

/** The facts of a session about to be inserted that pricing reads. */
export interface NewSessionFacts {
  id: string;
  merchantId: string;
  currency: string;
  customerEmail: string | null;
}

export class SessionOpening {
  constructor(
    private readonly calculations: CalculationService,
    private readonly pricing: MerchantPricingPort,
  ) {}

  check(input: OpeningSpec, linesCurrency: string): Partial<SessionTerms> {
    if (input.currency !== undefined && input.currency !== null) {
      const currency = normalizeCurrency(input.currency, 'input.currency');
      if (currency !== linesCurrency) throw badUserInput('input.currency', `must be the currency of the line items (${linesCurrency}), not ${currency}.`);
    }
    return checkTerms(input);
  }

  /** `terms` with the merchant's default capture mode (its checkout settings) when the session gives none. */
  async withDefaults(merchantId: string, terms: Partial<SessionTerms>): Promise<Partial<SessionTerms>> {
    if (terms.captureMode !== undefined) return terms;
    const { settings } = (await this.pricing.pricingConfig(merchantId)).checkout ?? DEFAULT_CHECKOUT_RULES;
    return settings.defaultCaptureMode === 'AUTOMATIC' ? terms : { ...terms, captureMode: settings.defaultCaptureMode };
  }

  /**
   * The first calculation of a new session, or null when its merchant configured no pricing.
   * `taxCategories` gives a line's tax category by position (an agent checkout's offer);
   * `shipsWhenConfigured`: the lines need shipping only when the merchant configured shipping
   * (an agent checkout's offer: digital otherwise); `destination` locates tax without an address.
   */
  async price(
    session: NewSessionFacts,
    lines: readonly LineItemDraft[],
    opts: { taxCategories?: ReadonlyArray<string | null | undefined>; shipsWhenConfigured?: boolean; destination?: { country: string } | null } = {},
  ): Promise<PreparedCalculation | null> {
    const config = await this.pricing.pricingConfig(session.merchantId);
    if (!hasPricingConfig(config)) return null;
    const ships = merchantShips(config);
    const cs = {
      ...session, shippingAddress: null, selectedShipping: null, shipmentPlan: null, promotionCodes: [], customerId: null,
    } as unknown as CheckoutSessionEntity;
    const rows = lines.map(
      (l, position) => ({ position, name: l.name, unitAmountMinor: l.unitAmountMinor, quantity: l.quantity, offerId: l.offerId, taxCategory: l.taxCategory, sku: l.sku }) as LineItemEntity,
    );
    const input = sessionPricingInput(cs, rows);
    input.lines = input.lines.map((l: CalculationLineInput, i: number) => ({
      ...l,
      taxCategory: opts.taxCategories?.[i] ?? l.taxCategory ?? null,
      ...(opts.shipsWhenConfigured ? { requiresShipping: ships } : {}),
    }));
    if (opts.destination) input.destination = opts.destination;
    return this.calculations.compute(input);
  }

  async record(manager: EntityManager, sessionId: string, terms: Partial<SessionTerms>, prepared: PreparedCalculation | null): Promise<void> {
    if (Object.keys(terms).length > 0) await writeTerms(manager, sessionId, terms);
    if (!prepared) return;
    const stored = await this.calculations.store(manager, prepared);
    const t = stored.calculation.totals;
    // Part of the insert: the new session keeps version 1.
    await manager.query(
      `UPDATE ${table('checkout_sessions')} SET calculation_id = $2, calculation_stale = false, subtotal_minor = $3, discount_minor = $4,
              tax_minor = $5, shipping_minor = $6, total_minor = $7 WHERE id = $1`,
      [sessionId, stored.id, t.subTotal, t.discountTotal, t.taxTotal, t.shippingTotal, t.grandTotal],
    );
  }
}
