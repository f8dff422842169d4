// What a merchant may send to connect a PSP. Pure: no database, no GraphQL.
import { randomBytes } from 'node:crypto';
import { badUserInput } from '@handoff/shared';
import { PaymentProvider } from './payment-provider.js';

/** Stripe secret (sk_) and restricted (rk_) keys, test or live mode. */
const STRIPE_SECRET_KEY = /^(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{10,247}$/;
/** Stripe publishable keys, test or live mode (public: the hosted page loads Stripe.js with one). */
const STRIPE_PUBLISHABLE_KEY = /^pk_(test|live)_[A-Za-z0-9]{10,247}$/;
/** A Stripe endpoint's signing secret. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{16,200}$/;

export interface ConnectSpec {
  provider: PaymentProvider | string;
  secretKey?: string | null;
  webhookSecret?: string | null;
  publishableKey?: string | null;
}

export interface ConnectionSecrets {
  provider: PaymentProvider;
  secretKey: string | null;
  webhookSecret: string | null;
  /** STRIPE: the publishable key, in the secret key's mode; null when not given (the hosted page then cannot take cards). */
  publishableKey: string | null;
  /** True when Handoff made the webhook secret (TEST): it is shown to the caller once. */
  webhookSecretGenerated: boolean;
}

// Messages never quote the value: it is a secret, even when malformed.
export function validateConnectInput(input: ConnectSpec): ConnectionSecrets {
  const given = (v: string | null | undefined) => v !== null && v !== undefined;
  switch (input.provider) {
    case PaymentProvider.TEST:
      if (given(input.secretKey)) throw badUserInput('input.secretKey', 'must be omitted for the TEST provider.');
      if (given(input.webhookSecret)) {
        throw badUserInput('input.webhookSecret', 'must be omitted for the TEST provider: Handoff generates it.');
      }
      if (given(input.publishableKey)) throw badUserInput('input.publishableKey', 'must be omitted for the TEST provider.');
      return { provider: PaymentProvider.TEST, secretKey: null, webhookSecret: generateWebhookSecret(), webhookSecretGenerated: true, publishableKey: null };
    case PaymentProvider.STRIPE: {
      if (!given(input.secretKey)) throw badUserInput('input.secretKey', 'is required for STRIPE.');
      if (!STRIPE_SECRET_KEY.test(input.secretKey!)) {
        throw badUserInput('input.secretKey', 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_test_…, rk_live_…).');
      }
      if (given(input.webhookSecret) && !WEBHOOK_SECRET.test(input.webhookSecret!)) {
        throw badUserInput('input.webhookSecret', "must be the Stripe endpoint's signing secret (whsec_…).");
      }
      let publishableKey: string | null = null;
      if (given(input.publishableKey)) {
        const mode = typeof input.publishableKey === 'string' ? STRIPE_PUBLISHABLE_KEY.exec(input.publishableKey)?.[1] : undefined;
        if (!mode) throw badUserInput('input.publishableKey', 'must be a Stripe publishable key (pk_test_…, pk_live_…).');
        const secretMode = input.secretKey!.includes('_live_') ? 'live' : 'test';
        if (mode !== secretMode) throw badUserInput('input.publishableKey', `must be a ${secretMode}-mode key (pk_${secretMode}_…), as the secret key is.`);
        publishableKey = input.publishableKey!;
      }
      return {
        provider: PaymentProvider.STRIPE,
        secretKey: input.secretKey!,
        webhookSecret: input.webhookSecret ?? null,
        publishableKey,
        webhookSecretGenerated: false,
      };
    }
    default:
      throw badUserInput('input.provider', `must be one of ${Object.values(PaymentProvider).join(', ')}.`);
  }
}

/** A new webhook secret: 32 random bytes, or `random` (e.g. derived from an idempotency key with a server secret). */
export function generateWebhookSecret(random?: Buffer): string {
  return `whsec_${(random ?? randomBytes(32)).toString('base64url')}`;
}
