// CalculationService: the calculation engine as the checkout session uses it.
//
//   const calculations = new CalculationService({ dataSource, pricing, allowPrivateUrls, inventory? , clock? });
//
//   calculate(session, { manager? }) → StoredCalculation
//       Loads the merchant's pricing configuration (MerchantPricingPort) and the promotion
//       ledger's counts, computes through the configured providers (HTTP ones with their timeout
//       and fallback), appends the snapshot to checkout.calculations (in `manager`'s transaction
//       when given) and returns it: { id: 'calc_…', calculation: { totals, lines, blockers, … } }.
//       Throws PROVIDER_UNAVAILABLE (an HTTP provider failed, fallback FAIL), SERVICE_UNAVAILABLE
//       (merchant subgraph unreachable), MERCHANT_NOT_FOUND or BAD_USER_INPUT; nothing is written then.
//   preview(session) → Calculation              the same computation, nothing written
//   compute(session) → PreparedCalculation, then store(manager, prepared) → StoredCalculation
//       calculate in two steps, so a caller can price outside its transaction (the providers'
//       network calls hold no connection) and append the snapshot inside it.
//   shippingOptions(session) → { shippingOptions, pickupOptions }   for an address, nothing written (the tax service is not asked)
//   validate(session) → { valid, blockers, calculation }
//       A fresh calculation's blockers, plus tax_mismatch against the session's last stored
//       calculation and inventory_shortfall from the inventory check when one is given; writes nothing.
//   latest(sessionId) / get(calculationId) → StoredCalculation | null
//   redeemPromotions(manager, stored, sessionId) / releasePromotions(manager, sessionId)
//       The promotion ledger (promotion.redemption.ts): take the uses when the session commits to
//       paying (PROMOTION_INVALID if one is used up), give them back when it is canceled or expires.
//
// A session input is the calculation input without the configuration, usage and time, which the
// service supplies: { checkoutSessionId, merchantId, currency, lines, destination, selection,
// promotionCodes, customerKey, includeDeliveryDates?, payment? }. A line that does not say
// whether it needs shipping needs it when the merchant ships (merchantShips).
import { allowedPaymentMethodsFor, CHECKOUT_PAYMENT_METHOD, type CheckoutPricingConfig } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { calculateWith } from './calculate.js';
import { providersFor } from './providers.js';
import { builtInTaxProvider } from '../tax/tax.provider.js';
import { inventoryShortfall, taxMismatch, type InventoryCheck } from './calculation.blockers.js';
import { calculationById, insertCalculation, latestCalculation, type StoredCalculation } from './calculation.store.js';
import type { Blocker, Calculation, CalculationInput } from './calculation.types.js';
import { promotionUsage, redeemPromotions, releasePromotions, type RedeemableCalculation } from '../promotion/promotion.redemption.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';

/** Whether the merchant ships: shipping zones, pickup locations or an HTTP shipping provider. */
export function merchantShips(config: CheckoutPricingConfig): boolean {
  return config.shipping.zones.length > 0 || config.shipping.pickupLocations.length > 0 || config.providers.shipping.kind === 'HTTP';
}

export type SessionPricingInput = Omit<CalculationInput, 'config' | 'usage' | 'at'> & {
  checkoutSessionId: string;
  merchantId: string;
  /** Where the buyer pays from (billing, else shipping country): the merchant's allowed payment methods for it become `payment`. */
  paymentCountry?: string | null;
};

/** A computed calculation not yet stored (CalculationService.compute → store). */
export interface PreparedCalculation {
  checkoutSessionId: string;
  input: CalculationInput;
  calculation: Calculation;
}

export interface CalculationServiceOptions {
  dataSource: DataSource;
  pricing: MerchantPricingPort;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: may merchants' pricing endpoints be private or plain-http addresses. */
  allowPrivateUrls: boolean;
  inventory?: InventoryCheck;
  clock?: () => Date;
}

export class CalculationService {
  private readonly clock: () => Date;

  constructor(private readonly opts: CalculationServiceOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  private async inputFor(session: SessionPricingInput): Promise<CalculationInput> {
    const config = await this.opts.pricing.pricingConfig(session.merchantId);
    const usage = await promotionUsage(this.opts.dataSource.manager, config.promotions.map((p) => p.id), session.customerKey ?? null);
    const { checkoutSessionId: _s, merchantId: _m, paymentCountry, ...rest } = session;
    // The session pays by card: a merchant that restricts methods for the buyer's country may not take it (payment_method_not_supported).
    const allowed = rest.payment === undefined && config.checkout ? allowedPaymentMethodsFor(config.checkout.settings.allowedPaymentMethods, paymentCountry ?? null) : null;
    if (allowed) rest.payment = { method: CHECKOUT_PAYMENT_METHOD, supported: allowed };
    // A session's lines need shipping when its merchant ships anything; a merchant that configured
    // no shipping sells what needs none (no shipping option or address is asked for then).
    const ships = merchantShips(config);
    const lines = rest.lines.map((l) => (l.requiresShipping === undefined ? { ...l, requiresShipping: ships } : l));
    return { ...rest, lines, config, usage, at: this.clock().toISOString() };
  }

  async compute(session: SessionPricingInput): Promise<PreparedCalculation> {
    const input = await this.inputFor(session);
    const calculation = await calculateWith(input, providersFor(input.config, { allowPrivateUrls: this.opts.allowPrivateUrls }));
    return { checkoutSessionId: session.checkoutSessionId, input, calculation };
  }

  store(manager: EntityManager, prepared: PreparedCalculation): Promise<StoredCalculation> {
    return insertCalculation(manager, prepared.checkoutSessionId, prepared.input, prepared.calculation);
  }

  async calculate(session: SessionPricingInput, opts: { manager?: EntityManager } = {}): Promise<StoredCalculation> {
    const { input, calculation } = await this.compute(session);
    return insertCalculation(opts.manager ?? this.opts.dataSource.manager, session.checkoutSessionId, input, calculation);
  }

  async preview(session: SessionPricingInput): Promise<Calculation> {
    return (await this.compute(session)).calculation;
  }

  async shippingOptions(session: SessionPricingInput): Promise<Pick<Calculation, 'shippingOptions' | 'pickupOptions'>> {
    // Tax never changes which options there are or what they cost, so the merchant's tax service
    // is not asked (and its failure cannot stop a buyer from choosing how to ship).
    const input = await this.inputFor(session);
    const providers = providersFor(input.config, { allowPrivateUrls: this.opts.allowPrivateUrls });
    const { shippingOptions, pickupOptions } = await calculateWith(input, { ...providers, tax: builtInTaxProvider });
    return { shippingOptions, pickupOptions };
  }

  async validate(session: SessionPricingInput): Promise<{ valid: boolean; blockers: Blocker[]; calculation: Calculation }> {
    const calculation = await this.preview(session);
    const blockers = [...calculation.blockers];
    const shown = await latestCalculation(this.opts.dataSource.manager, session.checkoutSessionId);
    const mismatch = taxMismatch(shown?.calculation ?? null, calculation);
    if (mismatch) blockers.push(mismatch);
    if (this.opts.inventory) {
      const shortfalls = await this.opts.inventory.shortfalls(
        session.merchantId,
        calculation.lines.map((l) => ({ id: l.id, offerId: l.offerId, quantity: l.quantity })),
      );
      blockers.push(...shortfalls.map(inventoryShortfall));
    }
    return { valid: blockers.length === 0, blockers, calculation };
  }

  latest(sessionId: string, manager?: EntityManager): Promise<StoredCalculation | null> {
    return latestCalculation(manager ?? this.opts.dataSource.manager, sessionId);
  }

  get(calculationId: string, manager?: EntityManager): Promise<StoredCalculation | null> {
    return calculationById(manager ?? this.opts.dataSource.manager, calculationId);
  }

  redeemPromotions(manager: EntityManager, stored: RedeemableCalculation, sessionId: string): Promise<void> {
    return redeemPromotions(manager, stored, sessionId);
  }

  releasePromotions(manager: EntityManager, sessionId: string): Promise<string[]> {
    return releasePromotions(manager, sessionId);
  }
}
