// The Stripe connector, with the official `stripe` package: create (with the attribution
// metadata and an idempotency key derived from the checkout session), confirm, capture,
// cancel, refund, each with the idempotency key Handoff's command derived (Stripe's
// `idempotencyKey` request option: a retried command gets Stripe's stored answer). Stripe cannot be reached from the test machines: the mapping of its answers
// and of its webhooks is tested with fixtures in Stripe's exact shapes (stripe-events.spec.ts).
import Stripe from 'stripe';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import {
  cardDetailsOf,
  PspRequestRejected,
  type CardDetails,
  type ConfirmOptions,
  type CreatePaymentRequest,
  type PspConnector,
  type PspPayment,
  type PspRefund,
  type PspStatus,
  type VaultCard,
} from '../connector.js';
import { parseTestCard, type CardBehaviour } from '@handoff/psp-sandbox/test-cards';
import { StripeBilling } from './stripe-billing.js';

/** Stripe's own test PaymentMethods for the sandbox's test cards (test mode only). */
const STRIPE_TEST_PAYMENT_METHODS: Record<CardBehaviour, string> = {
  succeed: 'pm_card_visa',
  decline_generic: 'pm_card_visa_chargeDeclined',
  decline_insufficient_funds: 'pm_card_visa_chargeDeclinedInsufficientFunds',
  three_d_secure: 'pm_card_authenticationRequired',
  processing: 'pm_card_bypassPending',
  decline_off_session: 'pm_card_chargeCustomerFail',
};

/** The fields of a Stripe PaymentIntent this connector reads. */
export interface StripePaymentIntentLike {
  id: string;
  status: string;
  amount_received?: number | null;
  next_action?: { type: string; redirect_to_url?: { url?: string | null } | null } | null;
  last_payment_error?: { code?: string | null; decline_code?: string | null; message?: string | null } | null;
  payment_method?: string | { id: string } | null;
}

/**
 * Every Stripe call runs inside a command's transaction holding the intent's row lock, so each is
 * bounded: at most (1 + maxNetworkRetries) attempts of timeoutMs each, plus Stripe's short
 * backoff between them (about 21 s with the defaults), then it fails and the lock is released.
 */
export const STRIPE_TIMEOUT_MS = 10_000;
export const STRIPE_MAX_NETWORK_RETRIES = 1;

export interface StripeClientOptions {
  /** Another API base (stripe-mock, a test double of Stripe's HTTP API); Stripe's own by default. */
  apiUrl?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export class StripeConnector implements PspConnector {
  readonly provider = PaymentProvider.STRIPE;
  private readonly stripe: Stripe;
  /** Stripe Billing: Customers, SetupIntents, Subscriptions, invoice payments (stripe-billing.ts). */
  readonly billing: StripeBilling;

  constructor(secretKey: string, options: StripeClientOptions = {}) {
    const api = options.apiUrl ? new URL(options.apiUrl) : null;
    this.stripe = new Stripe(secretKey, {
      maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_MAX_NETWORK_RETRIES,
      timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
      ...(api
        ? { host: api.hostname, port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)), protocol: api.protocol === 'http:' ? ('http' as const) : ('https' as const) }
        : {}),
    });
    this.billing = new StripeBilling(this.stripe, (fn) => this.call(fn));
  }

  async createPayment(_ctx: unknown, req: CreatePaymentRequest): Promise<PspPayment> {
    const pi = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: req.amountMinor,
          currency: req.currency.toLowerCase(),
          capture_method: req.captureMode === 'MANUAL' ? 'manual' : 'automatic',
          metadata: req.metadata,
          ...(req.description ? { description: req.description } : {}),
        },
        { idempotencyKey: req.idempotencyKey },
      ),
    );
    return fromStripePaymentIntent(pi as StripePaymentIntentLike);
  }

  async tokenizeTestCard(_ctx: unknown, cardNumber: string): Promise<string> {
    return STRIPE_TEST_PAYMENT_METHODS[parseTestCard(cardNumber).behaviour];
  }

  /**
   * Stripe's own vault: a PaymentMethod created from the card data with the merchant's secret key
   * (Stripe's raw card data API, which an account vaulting delegated cards must have enabled); the
   * payment is then confirmed with that pm_… as any other. Handoff keeps only the pm_… id.
   */
  async vaultCard(_ctx: unknown, card: VaultCard): Promise<{ paymentMethodId: string; brand: string | null; last4: string | null }> {
    const pm = await this.call(() =>
      this.stripe.paymentMethods.create({
        type: 'card',
        card: {
          number: card.number,
          ...(card.expMonth !== null ? { exp_month: card.expMonth } : {}),
          ...(card.expYear !== null ? { exp_year: card.expYear } : {}),
          ...(card.cvc !== null ? { cvc: card.cvc } : {}),
        },
        ...(card.name ? { billing_details: { name: card.name } } : {}),
      }),
    );
    const details = cardDetailsOf(pm.card);
    return { paymentMethodId: pm.id, brand: details.brand, last4: details.last4 };
  }

  async confirmPayment(_ctx: unknown, id: string, paymentMethod: string, returnUrl: string, options: ConfirmOptions, idempotencyKey: string): Promise<PspPayment> {
    try {
      // A subscription's card is saved to its Customer (setup_future_usage needs one to reuse it off-session).
      if (options.customer) await this.stripe.paymentIntents.update(id, { customer: options.customer }, { idempotencyKey: `${idempotencyKey}:customer` });
      const pi = await this.stripe.paymentIntents.confirm(
        id,
        {
          payment_method: paymentMethod,
          return_url: returnUrl,
          ...(options.manualCapture ? { capture_method: 'manual' as const } : {}),
          ...(options.saveForOffSession ? { setup_future_usage: 'off_session' as const } : {}),
          ...(options.offSession ? { off_session: true } : {}),
          ...(options.requestThreeDSecure ? { payment_method_options: { card: { request_three_d_secure: 'any' as const } } } : {}),
        },
        { idempotencyKey },
      );
      return fromStripePaymentIntent(pi as StripePaymentIntentLike);
    } catch (err) {
      // A decline is an answer, not a failure: Stripe attaches the intent as it now is.
      const card = err as { type?: string; payment_intent?: StripePaymentIntentLike; code?: string; decline_code?: string; message?: string };
      if (card.type === 'StripeCardError' && card.payment_intent) {
        const result = fromStripePaymentIntent(card.payment_intent);
        return { ...result, error: { code: card.code ?? 'card_declined', declineCode: card.decline_code ?? null, message: card.message ?? 'Declined.' } };
      }
      throw rejectedFrom(err);
    }
  }

  async describePaymentMethod(_ctx: unknown, paymentMethod: string): Promise<CardDetails> {
    const pm = await this.call(() => this.stripe.paymentMethods.retrieve(paymentMethod));
    return cardDetailsOf((pm as { card?: unknown }).card);
  }

  /** The challenge happens in the buyer's browser at Stripe: read the outcome. */
  async completeThreeDSecure(_ctx: unknown, id: string): Promise<PspPayment> {
    return fromStripePaymentIntent((await this.call(() => this.stripe.paymentIntents.retrieve(id))) as StripePaymentIntentLike);
  }

  async capturePayment(_ctx: unknown, id: string, amountMinor: number, idempotencyKey: string): Promise<PspPayment> {
    const pi = await this.call(() => this.stripe.paymentIntents.capture(id, { amount_to_capture: amountMinor }, { idempotencyKey }));
    return fromStripePaymentIntent(pi as StripePaymentIntentLike);
  }

  async cancelPayment(_ctx: unknown, id: string, idempotencyKey: string): Promise<PspPayment> {
    return fromStripePaymentIntent((await this.call(() => this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey }))) as StripePaymentIntentLike);
  }

  async refundPayment(
    _ctx: unknown,
    id: string,
    req: { amountMinor: number; reason: string | null; idempotencyKey: string },
  ): Promise<PspRefund> {
    const refund = await this.call(() =>
      this.stripe.refunds.create(
        { payment_intent: id, amount: req.amountMinor, ...(req.reason ? { metadata: { handoff_reason: req.reason.slice(0, 500) } } : {}) },
        { idempotencyKey: req.idempotencyKey },
      ),
    );
    const status = refund.status === 'succeeded' ? 'succeeded' : refund.status === 'failed' || refund.status === 'canceled' ? 'failed' : 'pending';
    return { providerRefundId: refund.id, status };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw rejectedFrom(err);
    }
  }
}

/** Stripe's answer in the connector's vocabulary. */
export function fromStripePaymentIntent(pi: StripePaymentIntentLike): PspPayment {
  const redirect = pi.next_action?.redirect_to_url?.url ?? null;
  const error = pi.last_payment_error;
  return {
    providerPaymentId: pi.id,
    status: pi.status as PspStatus,
    amountReceivedMinor: pi.amount_received ?? 0,
    nextAction: pi.status === 'requires_action' ? { type: redirect ? 'redirect_to_url' : 'three_d_secure', url: redirect } : null,
    paymentMethodId: typeof pi.payment_method === 'string' ? pi.payment_method : (pi.payment_method?.id ?? null),
    error:
      pi.status === 'requires_payment_method' && error
        ? { code: error.code ?? 'payment_failed', declineCode: error.decline_code ?? null, message: error.message ?? 'The payment failed.' }
        : null,
  };
}

/**
 * An invalid request (4xx) is a refusal (CHECKOUT_CREATE_FAILED at create); a network or 5xx
 * error is not ours to judge and propagates as a plain failure.
 */
function rejectedFrom(err: unknown): Error {
  const e = err as { type?: string; code?: string; message?: string; statusCode?: number };
  if (e?.type === 'StripeInvalidRequestError' || e?.type === 'StripeCardError' || e?.type === 'StripePermissionError' || e?.type === 'StripeAuthenticationError') {
    return new PspRequestRejected(e.message ?? 'Stripe refused the request.', e.code ?? 'stripe_error');
  }
  return err instanceof Error ? err : new Error(String(err));
}
