// The PSP connector interface: what Handoff asks of a payment processor. Two connectors
// implement it, each over its processor's HTTP API: the sandbox (`TEST`, the simulated processor
// of simulators/psp-sandbox) and Stripe.
// Statuses and errors come back in Stripe's vocabulary; payment-intent.commands.ts maps them.
import type { EntityManager } from 'typeorm';
import type { PaymentProvider } from '../payment-intent/payment-intent.enums.js';

export type PspStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export interface PspError {
  code: string;
  declineCode: string | null;
  message: string;
}

/** A payment as the PSP reports it after a call. */
export interface PspPayment {
  providerPaymentId: string;
  status: PspStatus;
  amountReceivedMinor: number;
  nextAction: { type: 'three_d_secure' | 'redirect_to_url'; url: string | null } | null;
  /** Set when this call's attempt failed (a decline, a failed 3-D Secure challenge). */
  error: PspError | null;
  /** The PSP's id of the payment method of the current attempt, as its webhooks will name it. */
  paymentMethodId?: string | null;
}

/** What a confirmation asks beyond the card (the merchant's risk rules decide it). */
export interface ConfirmOptions {
  /** Force a 3-D Secure challenge whatever the card (Stripe: payment_method_options.card.request_three_d_secure = any). */
  requestThreeDSecure?: boolean;
  /** Hold the authorized funds for a manual capture (Stripe: capture_method = manual at confirmation). */
  manualCapture?: boolean;
  /** Keep the card for charges without the buyer (a subscription's renewals): Stripe's setup_future_usage = off_session; the sandbox's vault tokens are reusable and it takes the same parameter. */
  saveForOffSession?: boolean;
  /** The buyer is not there (a subscription's renewal, charged with the saved card): Stripe's and the sandbox's `off_session = true`. */
  offSession?: boolean;
  /** Stripe: the Customer the payment (and the card it saves) belongs to; a subscription's (stripe-billing.ts). The sandbox has no customers. */
  customer?: string;
}

/** The card behind a payment method token, as the PSP reports it; never the number. */
export interface CardDetails {
  /** The PSP's fingerprint of the card number (Stripe's `card.fingerprint`): the same card gives the same one; null when the PSP has none. */
  fingerprint: string | null;
  brand: string | null;
  last4: string | null;
  /** The issuing country (ISO 3166-1 alpha-2) when the PSP knows it. */
  country: string | null;
}

export interface PspRefund {
  providerRefundId: string;
  status: 'succeeded' | 'pending' | 'failed';
}

export interface CreatePaymentRequest {
  merchantId: string;
  amountMinor: number;
  currency: string;
  captureMode: 'AUTOMATIC' | 'MANUAL';
  metadata: Record<string, string>;
  description: string | null;
  /** Derived from the checkout session: a retried create returns the same PSP payment. */
  idempotencyKey: string;
}

/**
 * The calling command's transaction (its intent row is locked while the PSP is called). Both
 * PSPs keep their records in their own systems and ignore it; a PSP's change that Handoff's
 * transaction then fails to record reaches Handoff by the PSP's webhook.
 */
export interface PspCallContext {
  manager: EntityManager;
}

/**
 * Every call that changes something at the PSP carries an idempotency key (Stripe's
 * Idempotency-Key) derived from Handoff's command (payment-intent.command-run.ts `pspKey`): when
 * the PSP acted but Handoff's transaction rolled back (its answer came too late), the retried
 * command sends the same key and gets the PSP's stored answer, which it then records.
 */
export interface PspConnector {
  readonly provider: PaymentProvider;
  createPayment(ctx: PspCallContext, req: CreatePaymentRequest): Promise<PspPayment>;
  /**
   * Created and confirmed with `paymentMethod` in one call under `req.idempotencyKey` (Stripe's
   * `confirm: true`): a decline is an answer with `error`, as confirmPayment's. An off-session
   * renewal's charge in one round trip; a PSP without it (absent) is called twice.
   */
  createAndConfirm?(ctx: PspCallContext, req: CreatePaymentRequest, paymentMethod: string, options: ConfirmOptions): Promise<PspPayment>;
  /** `paymentMethod` is a token (`pm_…`). */
  confirmPayment(
    ctx: PspCallContext,
    providerPaymentId: string,
    paymentMethod: string,
    returnUrl: string,
    options: ConfirmOptions,
    idempotencyKey: string,
  ): Promise<PspPayment>;
  /** The card behind a token (`pm_…`), for the merchant's risk rules. */
  describePaymentMethod(ctx: PspCallContext, paymentMethod: string): Promise<CardDetails>;
  completeThreeDSecure(ctx: PspCallContext, providerPaymentId: string, approved: boolean, idempotencyKey: string): Promise<PspPayment>;
  capturePayment(ctx: PspCallContext, providerPaymentId: string, amountMinor: number, idempotencyKey: string): Promise<PspPayment>;
  cancelPayment(ctx: PspCallContext, providerPaymentId: string, idempotencyKey: string): Promise<PspPayment>;
  refundPayment(
    ctx: PspCallContext,
    providerPaymentId: string,
    req: { amountMinor: number; reason: string | null; idempotencyKey: string },
  ): Promise<PspRefund>;
  /** Turns a test card number into a token of this PSP (TEST: the sandbox; STRIPE: its test tokens); the key makes a retried command's token the same. */
  tokenizeTestCard(ctx: PspCallContext, cardNumber: string, idempotencyKey?: string): Promise<string>;
  /**
   * A delegated card (ACP delegate_payment) vaulted at this PSP: its payment method (`pm_…`) and
   * what may be shown of it. TEST: the sandbox's vault; STRIPE: a Stripe PaymentMethod made from
   * the card data. The number is passed through, never kept nor logged.
   */
  vaultCard(ctx: PspCallContext, card: VaultCard): Promise<{ paymentMethodId: string; brand: string | null; last4: string | null }>;
  /**
   * Checks a card for charges without the buyer, charging nothing (Stripe's SetupIntent with
   * usage off_session, confirmed): a subscription's new card (billing-subscription/card-update/).
   * A PSP without it (absent) cannot take a card update from Handoff's page.
   */
  setupOffSession?(ctx: PspCallContext, paymentMethod: string, idempotencyKey: string): Promise<OffSessionSetup>;
}

/** A card's setup for off-session charges: saved, or refused (a decline, or an authentication the page cannot do). */
export type OffSessionSetup = { ok: true } | { ok: false; code: string; declineCode: string | null; message: string };

/** A card handed to a PSP's vault (the digits already checked: 12-19, Luhn). */
export interface VaultCard {
  number: string;
  expMonth: number | null;
  expYear: number | null;
  cvc: string | null;
  name: string | null;
}

/** The PSP refused the request (not a decline of a card): CHECKOUT_CREATE_FAILED at create. */
export class PspRequestRejected extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PspRequestRejected';
  }
}

/** A Stripe-shaped `card` object's details (brand, last4, fingerprint, country), each null when absent. */
export function cardDetailsOf(card: unknown): CardDetails {
  const c = card && typeof card === 'object' ? (card as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);
  const country = text(c.country);
  return { fingerprint: text(c.fingerprint), brand: text(c.brand), last4: text(c.last4), country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null };
}
