// Picks the connector for a merchant's credentials: the sandbox PSP's client with the
// merchant's own account for TEST merchants, a Stripe client per secret key for STRIPE merchants.
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import type { PspConnector } from './connector.js';
import type { MerchantCredentials } from './merchant-credentials.js';
import type { SandboxPsp } from './sandbox/sandbox-connector.js';
import { StripeConnector, type StripeClientOptions } from './stripe/stripe-connector.js';

export class Connectors {
  private readonly stripe = new Map<string, StripeConnector>();

  constructor(
    readonly sandbox: SandboxPsp,
    private readonly stripeOptions: StripeClientOptions = {},
  ) {}

  for(credentials: MerchantCredentials): PspConnector {
    if (credentials.provider === PaymentProvider.TEST) return this.sandbox.for(credentials);
    const key = credentials.secretKey;
    if (!key) throw new Error(`Merchant ${credentials.merchantId} has a STRIPE connector without a secret key`);
    let c = this.stripe.get(key);
    if (!c) {
      c = new StripeConnector(key, this.stripeOptions);
      this.stripe.set(key, c);
    }
    return c;
  }
}
