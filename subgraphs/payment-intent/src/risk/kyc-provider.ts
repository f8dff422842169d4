// The KYC provider as payment-intent asks it: start a verification (a reference, where to call
// back, the secret to sign the callback with) and get the page the buyer verifies on. One
// implementation: the sandbox's identity verifications (simulators/psp-sandbox/src/identity, in
// the shape of Stripe Identity), over the sandbox's HTTP API with the merchant's own sandbox key;
// a merchant whose connector is not TEST has no KYC provider here (kyc:provider_unavailable).
// Timeout and failure mode: the sandbox client's (PSP_SANDBOX_TIMEOUT_MS, one attempt); nothing is
// written when the provider does not answer, and the caller starts again.
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import type { SandboxAccounts } from '../psp/sandbox/sandbox-accounts.js';
import { SandboxApiError, type SandboxClient } from '../psp/sandbox/sandbox-client.js';
import { noPaymentConnector } from '../payment-intent/payment-intent.errors.js';
import { kycProviderUnavailable } from './risk.errors.js';

export interface KycStart {
  reference: string;
  callbackUrl: string;
  callbackSecret: string;
}

export interface StartedVerification {
  provider: string;
  id: string;
  url: string;
}

export interface KycProvider {
  start(merchantId: string, req: KycStart): Promise<StartedVerification>;
}

export class SandboxKycProvider implements KycProvider {
  constructor(
    private readonly credentials: CredentialsSource,
    private readonly client: SandboxClient,
    private readonly accounts: SandboxAccounts,
  ) {}

  async start(merchantId: string, req: KycStart): Promise<StartedVerification> {
    const credentials = await this.credentials.get(merchantId);
    if (!credentials) throw noPaymentConnector(merchantId);
    if (credentials.provider !== PaymentProvider.TEST) throw kycProviderUnavailable('the sandbox KYC provider serves TEST connectors only.');
    const key = await this.accounts.keyFor(credentials);
    let v;
    try {
      v = await this.client.post(key, '/v1/identity/verification_sessions', { reference: req.reference, callback_url: req.callbackUrl, callback_secret: req.callbackSecret });
    } catch (err) {
      if (err instanceof SandboxApiError) throw kycProviderUnavailable(err.message);
      throw err;
    }
    if (typeof v.id !== 'string' || typeof v.url !== 'string') throw new Error('the sandbox KYC provider answered without an id or url');
    return { provider: 'sandbox', id: v.id, url: v.url };
  }
}
