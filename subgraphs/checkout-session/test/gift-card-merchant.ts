// One merchant and one £10.00 offer, with fakes for merchant and payment-intent and a pricing port
// that prices nothing beyond the lines, gift cards enabled: the fixture of the finalization
// integration tests (finalization-race, finalization-rollback). `tag` keeps each file's ids apart.
import { randomBytes } from 'node:crypto';
import { DEFAULT_CHECKOUT_CAPABILITIES, DEFAULT_CHECKOUT_RULES, type Principal } from '@handoff/shared';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig } from './pricing-fixtures.js';

export function giftCardMerchant(tag: string) {
  const suffix = randomBytes(4).toString('hex');
  const merchantId = `mer_${tag}_${suffix}`;
  const offerId = `off_${tag}_${suffix}`;
  const merchant = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId } as Principal & { kind: 'MERCHANT' };
  const merchants = new FakeMerchants();
  merchants.addMerchant(merchantId);
  merchants.addOffer(offerId, merchantId, 1000, 'GBP');
  const pricing = {
    pricingConfig: async (id: string) => ({
      ...pricingConfig({ merchantId: id, shipping: { zones: [], pickupLocations: [] }, tax: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [] } }),
      checkout: { ...DEFAULT_CHECKOUT_RULES, capabilities: { ...DEFAULT_CHECKOUT_CAPABILITIES, giftCards: true } },
    }),
  };
  return { suffix, merchantId, offerId, merchant, merchants, payments: new FakePayments(), pricing };
}
