// Stand-ins for the merchant and payment-intent subgraphs, for integration tests of this
// subgraph's services (the end-to-end tests use the real ones).
import { ErrorCode, HandoffError } from '@handoff/shared';
import type { MerchantDirectory, MerchantView, OfferView } from '../src/ports/merchant.port.js';
import type { CreatedIntent, CreateIntentForCheckout, PaymentIntents } from '../src/ports/payment-intent.port.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { pricingConfig } from './pricing-fixtures.js';

/** A merchant subgraph whose merchants configured no checkout pricing (sessions pay their lines' total). */
export class FakeUnpricedMerchants implements MerchantPricingPort {
  async pricingConfig(merchantId: string) {
    return pricingConfig({ merchantId, shipping: { zones: [], pickupLocations: [] }, tax: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [] } });
  }
}

export class FakeMerchants implements MerchantDirectory {
  merchants = new Map<string, MerchantView>();
  offers = new Map<string, Omit<OfferView, 'merchant'> & { merchantId: string }>();

  addMerchant(id: string, opts: Partial<MerchantView> = {}): MerchantView {
    const m: MerchantView = { id, name: `Merchant ${id}`, status: 'ACTIVE', paymentConnector: { provider: 'TEST', status: 'connected' }, ...opts };
    this.merchants.set(id, m);
    return m;
  }

  addOffer(id: string, merchantId: string, amountMinor: number, currency: string, active = true): void {
    this.offers.set(id, { id, name: `Offer ${id}`, provider: 'ACME', active, price: { amountMinor, currency }, merchantId });
  }

  async offer(id: string): Promise<OfferView | null> {
    const o = this.offers.get(id);
    if (!o) return null;
    const { merchantId, ...rest } = o;
    return { ...rest, merchant: this.merchants.get(merchantId)! };
  }

  async merchant(id: string): Promise<MerchantView | null> {
    return this.merchants.get(id) ?? null;
  }
}

export class FakePayments implements PaymentIntents {
  created: CreateIntentForCheckout[] = [];
  canceled: string[] = [];
  bySession = new Map<string, CreatedIntent>();
  /** Next createForCheckout fails with this. */
  failNext: Error | null = null;

  async createForCheckout(input: CreateIntentForCheckout): Promise<CreatedIntent> {
    this.created.push(input);
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    const existing = this.bySession.get(input.checkoutSessionId);
    if (existing) return existing;
    const intent = { id: `pi_${this.bySession.size + 1}_${input.checkoutSessionId.slice(-6)}`, status: 'REQUIRES_PAYMENT_METHOD', provider: 'TEST', providerPaymentId: null };
    this.bySession.set(input.checkoutSessionId, intent);
    return intent;
  }

  async cancelForCheckout(checkoutSessionId: string): Promise<number> {
    this.canceled.push(checkoutSessionId);
    return this.bySession.has(checkoutSessionId) ? 1 : 0;
  }
}

export const pspRefused = () => new HandoffError(ErrorCode.CHECKOUT_CREATE_FAILED, 'Could not create checkout.');
