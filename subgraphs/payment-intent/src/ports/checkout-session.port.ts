// What payment-intent asks the checkout-session subgraph: before it confirms an intent whose
// session binds its amount (checkout_binding), `beginCheckoutPayment(checkoutSessionId,
// paymentIntentId)` commits the session to paying and answers the amount, currency and capture
// mode the intent must have (the grand total of its current calculation; its promotion uses are
// taken) and, for an agent's checkout, the AAP code that binds that amount (the intent's aap_code
// from then on). Signed GraphQL, SERVICE principal, @inaccessible (docs/internal-contracts.md).
// Synchronous: what is charged depends on the answer.
// `replaceCheckoutPaymentIntent(checkoutSessionId, previous, next)` makes the successor of a
// session's canceled intent the session's (payment-intent/checkout-renewal.ts).
// `checkoutRiskSignals(checkoutSessionId)` (a read) answers what the merchant's risk rules look at
// (the customer's email, billing and shipping countries, the agent, the total) before a
// confirmation or a dry-run score; synchronous for the same reason.
//
// Timeout: CHECKOUT_SESSION_CALL_TIMEOUT_MS. The callee's refusals pass through as they are
// (CALCULATION_STALE, CHECKOUT_NOT_READY, PROMOTION_INVALID, CHECKOUT_SESSION_EXPIRED, INVALID_STATE_TRANSITION);
// when checkout-session is down or slow the confirmation fails with SERVICE_UNAVAILABLE
// (checkout_session:unavailable, retryable) before anything is charged or written.
import { clientSecretFor, ErrorCode, HandoffError, InternalCallError, InternalClient, type SubscriptionPlanTerms } from '@handoff/shared';

/** How long payment-intent waits for checkout-session, per call. */
export const CHECKOUT_SESSION_CALL_TIMEOUT_MS = 5_000;

export interface CheckoutPaymentTerms {
  checkoutSessionId: string;
  amountMinor: number;
  currency: string;
  captureMode: 'AUTOMATIC' | 'MANUAL';
  calculationId: string | null;
  /** An agent's checkout: the AAP code binding amountMinor (re-issued when the amount changed); null otherwise. */
  aapCode?: string | null;
  /** A SUBSCRIPTION session's plan (issue 22): the subscription is created from it when the payment succeeds; null otherwise. */
  subscription?: SubscriptionPlanTerms | null;
  /** The session's customer email as it is now (the intent's receipt_email follows it); null when not given. */
  customerEmail?: string | null;
}

/** What a checkout session tells the merchant's risk rules (risk/). */
export interface CheckoutRiskSignals {
  checkoutSessionId: string;
  merchantId: string;
  status: string;
  customerEmail: string | null;
  billingCountry: string | null;
  shippingCountry: string | null;
  agentId: string | null;
  amountMinor: number;
  currency: string;
  paymentIntentId: string | null;
  /** What the session's held gift cards and store credit cover (the card pays amountMinor minus this). */
  tenderHeldMinor?: number;
}

/** The session's risk signals; null when the session does not exist. */
export interface CheckoutRiskSignalsSource {
  riskSignals(checkoutSessionId: string): Promise<CheckoutRiskSignals | null>;
}

/** Makes the successor of a session's canceled intent the session's (checkout-renewal.ts). */
export interface CheckoutIntentReplacer {
  replacePaymentIntent(checkoutSessionId: string, previousPaymentIntentId: string, paymentIntentId: string): Promise<void>;
}

/** checkout-session as payment-intent needs it; tests may stand in for it. */
export interface CheckoutSessions {
  beginPayment(checkoutSessionId: string, paymentIntentId: string): Promise<CheckoutPaymentTerms>;
  /**
   * The session's hosted page with its client secret, as checkout-session issues it: where a PSP
   * sends the buyer back after 3-D Secure (without the secret the page is a 404).
   */
  hostedPageUrl?(publicBaseUrl: string, checkoutSessionId: string): string;
}

/** Where the PSP sends the buyer back after 3-D Secure: the session's hosted page (with its client secret when known). */
export function checkoutReturnUrl(publicBaseUrl: string, checkoutSessionId: string | null, sessions: CheckoutSessions | undefined): string {
  if (checkoutSessionId && sessions?.hostedPageUrl) return sessions.hostedPageUrl(publicBaseUrl, checkoutSessionId);
  return `${publicBaseUrl}/checkout/${encodeURIComponent(checkoutSessionId ?? '')}`;
}

const BEGIN = `mutation BeginCheckoutPayment($checkoutSessionId: ID!, $paymentIntentId: ID!) {
  beginCheckoutPayment(checkoutSessionId: $checkoutSessionId, paymentIntentId: $paymentIntentId) {
    checkoutSessionId amountMinor currency captureMode calculationId aapCode subscription customerEmail
  }
}`;

const REPLACE = `mutation ReplaceCheckoutPaymentIntent($checkoutSessionId: ID!, $previous: ID!, $next: ID!) {
  replaceCheckoutPaymentIntent(checkoutSessionId: $checkoutSessionId, previousPaymentIntentId: $previous, paymentIntentId: $next)
}`;

const RISK_SIGNALS = `query CheckoutRiskSignals($checkoutSessionId: ID!) {
  checkoutRiskSignals(checkoutSessionId: $checkoutSessionId) {
    checkoutSessionId merchantId status customerEmail billingCountry shippingCountry agentId amountMinor currency paymentIntentId tenderHeldMinor
  }
}`;

export class CheckoutSessionPort implements CheckoutSessions, CheckoutRiskSignalsSource, CheckoutIntentReplacer {
  constructor(
    private readonly client: InternalClient,
    /** The internal secret the sessions' client secrets derive from (clientSecretFor); without it, return URLs carry none. */
    private readonly internalSecret?: string,
  ) {}

  static over(url: string, secret: string): CheckoutSessionPort {
    return new CheckoutSessionPort(new InternalClient({ url, secret, service: 'payment-intent', timeoutMs: CHECKOUT_SESSION_CALL_TIMEOUT_MS }), secret);
  }

  hostedPageUrl(publicBaseUrl: string, checkoutSessionId: string): string {
    const page = `${publicBaseUrl}/checkout/${encodeURIComponent(checkoutSessionId)}`;
    return this.internalSecret ? `${page}?cs=${encodeURIComponent(clientSecretFor(checkoutSessionId, this.internalSecret))}` : page;
  }

  async beginPayment(checkoutSessionId: string, paymentIntentId: string): Promise<CheckoutPaymentTerms> {
    try {
      const data = await this.client.request<{ beginCheckoutPayment: CheckoutPaymentTerms }>(BEGIN, { checkoutSessionId, paymentIntentId });
      return data.beginCheckoutPayment;
    } catch (err) {
      throw unavailableOr(err);
    }
  }

  async replacePaymentIntent(checkoutSessionId: string, previousPaymentIntentId: string, paymentIntentId: string): Promise<void> {
    try {
      await this.client.request(REPLACE, { checkoutSessionId, previous: previousPaymentIntentId, next: paymentIntentId });
    } catch (err) {
      throw unavailableOr(err);
    }
  }

  async riskSignals(checkoutSessionId: string): Promise<CheckoutRiskSignals | null> {
    try {
      return (await this.client.request<{ checkoutRiskSignals: CheckoutRiskSignals | null }>(RISK_SIGNALS, { checkoutSessionId })).checkoutRiskSignals;
    } catch (err) {
      throw unavailableOr(err);
    }
  }
}

/** The callee's own refusal as it is; checkout-session unreachable (or answering SERVICE_UNAVAILABLE) → SERVICE_UNAVAILABLE, nothing charged. */
function unavailableOr(err: unknown): unknown {
  if (err instanceof HandoffError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) return err;
  if (err instanceof InternalCallError || err instanceof HandoffError) {
    return new HandoffError(ErrorCode.SERVICE_UNAVAILABLE, 'The checkout service could not be reached; nothing was charged. Try again shortly.', {
      reason: 'checkout_session:unavailable',
      retryable: true,
    });
  }
  return err;
}
