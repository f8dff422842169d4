// What checkout reads from the merchant subgraph (offers, merchants, their PSP connection),
// through a signed internal call as the SERVICE principal, never through its tables
// (docs/internal-contracts.md). Synchronous: a checkout or a recommendation is validated against
// the offer and the merchant as they are now. (Pricing configuration: merchant-pricing.port.ts.)
//
// Timeout: MERCHANT_CALL_TIMEOUT_MS. When the merchant subgraph is down or slow the request
// (createCheckoutSession, agent checkout, recordRecommendation) fails before anything is
// written: the callee's HandoffError as it is, a transport failure as InternalCallError
// (INTERNAL_SERVER_ERROR at the edge); the caller retries with the same idempotency key.
import { InternalClient, type Money, type RecurringPrice } from '@handoff/shared';

/** How long checkout-session waits for the merchant subgraph, per call. */
export const MERCHANT_CALL_TIMEOUT_MS = 10_000;

export interface MerchantView {
  id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  /** Null until the merchant connects a PSP. */
  paymentConnector: { provider: string; status: string } | null;
  /** ISO 3166-1 alpha-2: where an agent's checkout is taxed when the buyer gave no country. */
  country?: string;
}

export interface OfferView {
  id: string;
  name: string;
  provider: string;
  active: boolean;
  price: Money;
  /** The offer's tax category; null: the merchant's default. */
  taxCategory?: string | null;
  /** Sold by subscription (issue 22): a SUBSCRIPTION session's line of it that gives no recurring price takes this one. */
  recurring?: RecurringPrice | null;
  merchant: MerchantView;
}

/** The merchant subgraph as checkout needs it; tests may stand in for it. */
export interface MerchantDirectory {
  offer(id: string): Promise<OfferView | null>;
  merchant(id: string): Promise<MerchantView | null>;
}

const MERCHANT_FIELDS = 'id name status country paymentConnector { provider status }';
const OFFER = `query CheckoutOffer($id: ID!) {
  offer(id: $id) { id name provider active price { amountMinor currency } taxCategory recurring { interval intervalCount trialDays } merchant { ${MERCHANT_FIELDS} } }
}`;
const MERCHANT = `query CheckoutMerchant($id: ID!) { merchant(id: $id) { ${MERCHANT_FIELDS} } }`;

export class InternalMerchantDirectory implements MerchantDirectory {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string): InternalMerchantDirectory {
    return new InternalMerchantDirectory(new InternalClient({ url, secret, service: 'checkout-session', timeoutMs: MERCHANT_CALL_TIMEOUT_MS }));
  }

  async offer(id: string): Promise<OfferView | null> {
    const data = await this.client.request<{ offer: OfferView | null }>(OFFER, { id });
    return data.offer;
  }

  async merchant(id: string): Promise<MerchantView | null> {
    const data = await this.client.request<{ merchant: MerchantView | null }>(MERCHANT, { id });
    return data.merchant;
  }
}
