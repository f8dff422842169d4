// The providers a merchant's pricing configuration names, for calculateWith: each concern built
// in, or HTTP at the merchant's endpoint with its secret, timeout and fallback.
import type { CheckoutPricingConfig, PricingProviderConfig } from '@handoff/shared';
import type { Providers } from './calculate.js';
import type { EndpointCallOptions } from './pricing-endpoint.js';
import { HttpPromotionProvider } from '../promotion/promotion.http-provider.js';
import { builtInPromotionProvider } from '../promotion/promotion.provider.js';
import { HttpShippingProvider } from '../shipping/shipping.http-provider.js';
import { builtInShippingProvider } from '../shipping/shipping.provider.js';
import { HttpTaxProvider } from '../tax/tax.http-provider.js';
import { builtInTaxProvider } from '../tax/tax.provider.js';

/** The providers a merchant's configuration names: built in, or HTTP with its endpoint, timeout and fallback. */
export function providersFor(config: CheckoutPricingConfig, opts: EndpointCallOptions): Providers {
  const endpointOf = (p: PricingProviderConfig) =>
    p.kind === 'HTTP' && p.endpointUrl && p.signingSecret ? { url: p.endpointUrl, secret: p.signingSecret, timeoutMs: p.timeoutMs ?? 5000 } : null;
  // An HTTP provider without an endpoint or secret (a configuration the merchant subgraph refuses)
  // fails on every call, so its fallback applies rather than a silent built-in result.
  const unusable = { url: 'invalid:', secret: '', timeoutMs: 1 };
  const http = (p: PricingProviderConfig) => (p.kind === 'HTTP' ? (endpointOf(p) ?? unusable) : null);
  const tax = http(config.providers.tax);
  const shipping = http(config.providers.shipping);
  const promotions = http(config.providers.promotions);
  return {
    tax: tax ? new HttpTaxProvider(tax, opts) : builtInTaxProvider,
    shipping: shipping ? new HttpShippingProvider(shipping, opts) : builtInShippingProvider,
    promotions: promotions ? new HttpPromotionProvider(promotions, opts) : builtInPromotionProvider,
    fallback: {
      tax: config.providers.tax.fallback ?? 'FAIL',
      shipping: config.providers.shipping.fallback ?? 'FAIL',
      promotions: config.providers.promotions.fallback ?? 'FAIL',
    },
  };
}
