// What payment-intent asks the merchant subgraph: a merchant's PSP credentials (its internal,
// SERVICE-only `paymentConnectorCredentials`). Signed GraphQL, SERVICE principal
// (docs/internal-contracts.md). Synchronous because a PSP call or a webhook's signature check
// cannot go on without them; psp/merchant-credentials.ts remembers them, so the webhook ack path
// and most commands do not wait on the merchant subgraph at all.
//
// Timeout: MERCHANT_CALL_TIMEOUT_MS. When the merchant subgraph is down or slow (and the
// credentials are not remembered): a command (createPaymentIntentForCheckout, confirm, refund)
// fails with the callee's error or InternalCallError (SERVICE_UNAVAILABLE at the edge) before
// anything is written, and its caller retries with the same idempotency key; an inbound webhook
// is answered 5xx, so the PSP delivers it again.
import { InternalClient, type DunningSettings } from '@handoff/shared';
import type { PaymentProvider } from '../payment-intent/payment-intent.enums.js';

/** How long payment-intent waits for the merchant subgraph, per call. */
export const MERCHANT_CALL_TIMEOUT_MS = 10_000;

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

const BILLING_SETTINGS = /* GraphQL */ `
  query MerchantBillingSettings($id: ID!) {
    billingSettings(merchantId: $id) { dunning { retryDays finalStatus } }
  }
`;

const MERCHANT_EXISTS = /* GraphQL */ `
  query MerchantExists($id: ID!) {
    merchant(id: $id) { id }
  }
`;

const STRIPE_PUBLISHABLE_KEY = /* GraphQL */ `
  query MerchantStripePublishableKey($id: ID!) {
    merchant(id: $id) { hostedPage { stripePublishableKey } }
  }
`;

const INSTALLMENTS_CAPABILITY = /* GraphQL */ `
  query MerchantInstallmentsCapability($id: ID!) {
    checkoutCapabilities(merchantId: $id) { installments }
  }
`;

const THREE_D_SECURE_CAPABILITY = /* GraphQL */ `
  query MerchantThreeDSecureCapability($id: ID!) {
    checkoutCapabilities(merchantId: $id) { threeDSecure }
  }
`;

export class MerchantPort {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string): MerchantPort {
    return new MerchantPort(new InternalClient({ url, secret, service: 'payment-intent', timeoutMs: MERCHANT_CALL_TIMEOUT_MS }));
  }

  /** Null when the merchant has no PSP connector. */
  async paymentConnectorCredentials(merchantId: string): Promise<MerchantCredentials | null> {
    return (await this.client.request<{ paymentConnectorCredentials: MerchantCredentials | null }>(QUERY, { merchantId })).paymentConnectorCredentials;
  }

  /** The merchant's Stripe publishable key (public: the card-update page loads Stripe.js with it); null when none was given or the merchant is unknown. */
  async stripePublishableKey(id: string): Promise<string | null> {
    return (await this.client.request<{ merchant: { hostedPage: { stripePublishableKey: string | null } } | null }>(STRIPE_PUBLISHABLE_KEY, { id })).merchant?.hostedPage.stripePublishableKey ?? null;
  }

  /** Whether an admin let the merchant use 3-D Secure (its threeDSecure capability; MERCHANT_NOT_FOUND for an unknown one). */
  /** Whether an admin let the merchant take instalment (buy-now-pay-later) methods (its installments capability; MERCHANT_NOT_FOUND for an unknown one). */
  async installmentsEnabled(id: string): Promise<boolean> {
    return (await this.client.request<{ checkoutCapabilities: { installments: boolean } }>(INSTALLMENTS_CAPABILITY, { id })).checkoutCapabilities.installments;
  }

  async threeDSecureEnabled(id: string): Promise<boolean> {
    return (await this.client.request<{ checkoutCapabilities: { threeDSecure: boolean } }>(THREE_D_SECURE_CAPABILITY, { id })).checkoutCapabilities.threeDSecure;
  }

  /** The merchant's dunning schedule (its billingSettings; the default 1, 3, 5, 7 then UNPAID when never set). Renewals read it before charging (billing-renewal.ts). */
  async dunningSettings(id: string): Promise<DunningSettings> {
    return (await this.client.request<{ billingSettings: { dunning: DunningSettings } }>(BILLING_SETTINGS, { id })).billingSettings.dunning;
  }

  /** Whether the merchant exists (an admin's configuration of an unknown merchant is refused before anything is written). */
  async merchantExists(id: string): Promise<boolean> {
    return (await this.client.request<{ merchant: { id: string } | null }>(MERCHANT_EXISTS, { id })).merchant !== null;
  }
}
