// What checkout reads from the merchant subgraph (offers, merchants, their PSP connection),
// through a signed internal call as the SERVICE principal, never through its tables.
import { InternalClient, type Money } from '@handoff/shared';

export interface MerchantView {
  id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  /** Null until the merchant connects a PSP. */
  paymentConnector: { provider: string; status: string } | null;
}

export interface OfferView {
  id: string;
  name: string;
  provider: string;
  active: boolean;
  price: Money;
  merchant: MerchantView;
}

/** The merchant subgraph as checkout needs it; tests may stand in for it. */
export interface MerchantDirectory {
  offer(id: string): Promise<OfferView | null>;
  merchant(id: string): Promise<MerchantView | null>;
}

const MERCHANT_FIELDS = 'id name status paymentConnector { provider status }';
const OFFER = `query CheckoutOffer($id: ID!) {
  offer(id: $id) { id name provider active price { amountMinor currency } merchant { ${MERCHANT_FIELDS} } }
}`;
const MERCHANT = `query CheckoutMerchant($id: ID!) { merchant(id: $id) { ${MERCHANT_FIELDS} } }`;

export class InternalMerchantDirectory implements MerchantDirectory {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string): InternalMerchantDirectory {
    return new InternalMerchantDirectory(new InternalClient({ url, secret, service: 'checkout-session' }));
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
