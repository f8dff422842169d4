// A merchant's PSP credentials, asked of the merchant subgraph (its internal, SERVICE-only
// `paymentConnectorCredentials`) and remembered briefly: every webhook needs the secret, and
// a rotated secret is picked up within the TTL (a failed verification also forgets it).
import type { InternalClient } from '@handoff/shared';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';

export interface MerchantCredentials {
  merchantId: string;
  provider: PaymentProvider;
  secretKey: string | null;
  webhookSecret: string | null;
}

const QUERY = /* GraphQL */ `
  query PaymentConnectorCredentials($merchantId: ID!) {
    paymentConnectorCredentials(merchantId: $merchantId) { merchantId provider secretKey webhookSecret }
  }
`;

export interface CredentialsSource {
  get(merchantId: string): Promise<MerchantCredentials | null>;
  forget(merchantId: string): void;
}

export class MerchantCredentialsClient implements CredentialsSource {
  private readonly cache = new Map<string, { value: MerchantCredentials | null; until: number }>();

  constructor(
    private readonly merchant: InternalClient,
    private readonly ttlMs = 10_000,
  ) {}

  /** null: the merchant has no connector (or does not exist). Transport failures throw (retryable). */
  async get(merchantId: string): Promise<MerchantCredentials | null> {
    const hit = this.cache.get(merchantId);
    if (hit && hit.until > Date.now()) return hit.value;
    const data = await this.merchant.request<{ paymentConnectorCredentials: MerchantCredentials | null }>(QUERY, { merchantId });
    const value = data.paymentConnectorCredentials;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(merchantId, { value, until: Date.now() + this.ttlMs });
    return value;
  }

  forget(merchantId: string): void {
    this.cache.delete(merchantId);
  }
}

/** The URL path segment of each provider (`/webhooks/test/…`, `/webhooks/stripe/…`). */
export const providerOfPath: Readonly<Record<string, PaymentProvider>> = { test: PaymentProvider.TEST, stripe: PaymentProvider.STRIPE };
export const pathOfProvider: Readonly<Record<PaymentProvider, string>> = { [PaymentProvider.TEST]: 'test', [PaymentProvider.STRIPE]: 'stripe' };
