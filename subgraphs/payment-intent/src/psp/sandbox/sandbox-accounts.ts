// Each TEST merchant's account at the sandbox PSP, set up by Handoff as a platform registers a
// connected account's webhook endpoint at Stripe: the endpoint is the gateway's
// /webhooks/test/:merchantId, its signing secret the TEST connector's webhook secret (Handoff
// generates it, docs/api.md), its enabled events the types Handoff acts on. The sandbox answers
// the merchant's secret key, which then authenticates that merchant's payment calls.
//
// Remembered per merchant and secret: a rotated secret (reconnected merchant) sets the account
// up again, at the next call or as soon as the merchant subgraph announces the change (refresh).
import type { Logger } from '@handoff/shared';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import { KIND_OF_TYPE } from '../../webhooks/psp-event.js';
import type { CredentialsSource, MerchantCredentials } from '../merchant-credentials.js';
import type { SandboxClient } from './sandbox-client.js';

/** The event types the merchant's endpoint takes: those Handoff handles (every other would only be recorded). */
export const SANDBOX_ENABLED_EVENTS: readonly string[] = Object.keys(KIND_OF_TYPE);

export class SandboxAccounts {
  private readonly keys = new Map<string, { webhookSecret: string; key: Promise<string> }>();

  constructor(
    private readonly client: SandboxClient,
    private readonly publicBaseUrl: string,
    private readonly credentials: CredentialsSource,
    private readonly logger: Logger,
  ) {}

  /** The merchant's secret key at the sandbox, setting its account up first if this secret was not yet. */
  keyFor(creds: MerchantCredentials): Promise<string> {
    const secret = creds.webhookSecret;
    if (!secret) throw new Error(`Merchant ${creds.merchantId} has a TEST connector without a webhook secret`);
    const known = this.keys.get(creds.merchantId);
    if (known && known.webhookSecret === secret) return known.key;
    const key = this.setUp(creds.merchantId, secret);
    this.keys.set(creds.merchantId, { webhookSecret: secret, key });
    key.catch(() => {
      if (this.keys.get(creds.merchantId)?.key === key) this.keys.delete(creds.merchantId);
    });
    return key;
  }

  /** Forgets the key (the sandbox refused it, or the connector changed). */
  forget(merchantId: string): void {
    this.keys.delete(merchantId);
  }

  clear(): void {
    this.keys.clear();
  }

  /**
   * The merchant's connector changed: sets its account up again with the current secret (when it
   * is a TEST connector), so deliveries the sandbox still holds are signed with what Handoff now
   * verifies. Best effort (the next payment call does it too).
   */
  refresh(merchantId: string): void {
    this.forget(merchantId);
    this.credentials
      .get(merchantId)
      .then((creds) => (creds?.provider === PaymentProvider.TEST && creds.webhookSecret ? this.keyFor(creds) : undefined))
      .catch((err: unknown) => this.logger.warn({ err, merchantId }, 'could not set the sandbox account up again'));
  }

  /** As refresh, awaited, from the merchant subgraph's current answer (an operator replays a delivery). */
  async sync(merchantId: string): Promise<void> {
    this.forget(merchantId);
    this.credentials.forget(merchantId);
    const creds = await this.credentials.get(merchantId);
    if (creds?.provider === PaymentProvider.TEST && creds.webhookSecret) await this.keyFor(creds);
  }

  private async setUp(merchantId: string, webhookSecret: string): Promise<string> {
    const account = await this.client.admin('POST', `/v1/accounts/${encodeURIComponent(merchantId)}`, {
      webhook_url: `${this.publicBaseUrl.replace(/\/$/, '')}/webhooks/test/${encodeURIComponent(merchantId)}`,
      webhook_secret: webhookSecret,
      enabled_events: SANDBOX_ENABLED_EVENTS,
    });
    if (typeof account.secret_key !== 'string') throw new Error('the sandbox PSP set up an account without a secret key');
    return account.secret_key;
  }
}
