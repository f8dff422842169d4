// What a checkout line is checked against and resolved from when it is written (create, update,
// an agent's checkout): its offer must be one of the session merchant's (OFFER_NOT_FOUND
// otherwise), and its effective tax category is fixed then: the line's own, else its offer's,
// else the merchant's default category (its tax configuration). Stored with the line, so a later
// calculation taxes it the same way whatever the offer or the configuration became. A SUBSCRIPTION
// session's line (`recurringFromOffers`) that gives no recurring price takes its offer's (issue 22).
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import type { MerchantDirectory, OfferView } from '../ports/merchant.port.js';
import { offerNotFound } from '../recommendation/recommendation.service.js';
import type { LineItemDraft } from './checkout-session.validation.js';

export class LineCatalog {
  constructor(
    private readonly merchants: MerchantDirectory,
    private readonly pricing: MerchantPricingPort,
  ) {}

  /**
   * The lines with their effective tax category. `known` offers (already loaded by the caller)
   * are not asked again. The merchant's pricing configuration is asked only when a line has
   * neither its own category nor an offer with one.
   */
  async resolve(merchantId: string, lines: readonly LineItemDraft[], known: readonly OfferView[] = [], opts: { recurringFromOffers?: boolean } = {}): Promise<LineItemDraft[]> {
    const offers = new Map(known.map((o) => [o.id, o]));
    for (const offerId of new Set(lines.map((l) => l.offerId).filter((id): id is string => id !== null))) {
      const offer = offers.get(offerId) ?? (await this.merchants.offer(offerId));
      if (!offer || offer.merchant.id !== merchantId) throw offerNotFound(offerId);
      offers.set(offerId, offer);
    }
    const own = lines.map((l) => l.taxCategory ?? (l.offerId ? offers.get(l.offerId)?.taxCategory ?? null : null));
    const fallback = own.some((c) => c === null) ? await this.defaultCategory(merchantId) : null;
    const recurringOf = (l: LineItemDraft) => l.recurring ?? (opts.recurringFromOffers && l.offerId ? offers.get(l.offerId)?.recurring ?? null : null);
    return lines.map((l, i) => ({ ...l, taxCategory: own[i] ?? fallback, recurring: recurringOf(l) }));
  }

  /** A line written before tax categories were stored: its offer's category, else the merchant's default. */
  async categoryOf(merchantId: string, offerId: string | null): Promise<string> {
    const offer = offerId ? await this.merchants.offer(offerId) : null;
    return offer?.taxCategory ?? (await this.defaultCategory(merchantId));
  }

  private async defaultCategory(merchantId: string): Promise<string> {
    return (await this.pricing.pricingConfig(merchantId)).tax.defaultCategory;
  }
}
