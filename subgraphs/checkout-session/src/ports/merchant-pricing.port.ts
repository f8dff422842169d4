// What the calculation engine reads from the merchant subgraph: the merchant's whole pricing
// configuration in one signed internal call, `checkoutPricingConfig(merchantId)` (SERVICE
// principal, @inaccessible; shared/src/contracts/pricing-config.contract.ts). The call has its
// own short timeout: a merchant subgraph that does not answer in time, or answers with a
// non-Handoff error, is SERVICE_UNAVAILABLE (reason merchant_pricing:unavailable, retryable);
// an unknown merchant is MERCHANT_NOT_FOUND.
import {
  CHECKOUT_PRICING_CONFIG_QUERY,
  ErrorCode,
  HandoffError,
  InternalCallError,
  InternalClient,
  type CheckoutPricingConfig,
  type CheckoutPricingConfigResult,
} from '@handoff/shared';
import { pricingConfigUnavailable } from '../calculation/calculation.errors.js';

export const MERCHANT_PRICING_TIMEOUT_MS = 3_000;

/** The merchant subgraph as the calculation needs it; tests may stand in for it. */
export interface MerchantPricingPort {
  /** Throws MERCHANT_NOT_FOUND for an unknown merchant, SERVICE_UNAVAILABLE (retryable) when the call fails. */
  pricingConfig(merchantId: string): Promise<CheckoutPricingConfig>;
}

export class InternalMerchantPricing implements MerchantPricingPort {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string, timeoutMs = MERCHANT_PRICING_TIMEOUT_MS): InternalMerchantPricing {
    return new InternalMerchantPricing(new InternalClient({ url, secret, service: 'checkout-session', timeoutMs }));
  }

  async pricingConfig(merchantId: string): Promise<CheckoutPricingConfig> {
    let data: CheckoutPricingConfigResult;
    try {
      data = await this.client.request<CheckoutPricingConfigResult>(CHECKOUT_PRICING_CONFIG_QUERY, { merchantId });
    } catch (err) {
      if (err instanceof HandoffError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      if (err instanceof InternalCallError || err instanceof HandoffError) throw pricingConfigUnavailable(err.message);
      throw err;
    }
    const config = data.checkoutPricingConfig;
    if (!config) throw new HandoffError(ErrorCode.MERCHANT_NOT_FOUND, 'No such merchant.');
    return config;
  }
}
