// The sandbox PSP (`TEST`) seen from Handoff: a thin adapter over its HTTP API (sandbox-client.ts),
// as stripe-connector.ts is over Stripe's. Each merchant's calls carry its own secret key
// (sandbox-accounts.ts). The sandbox keeps its own records in its own database and tells the
// merchant about every change by a signed webhook; nothing of it runs in Handoff's transactions.
import { parseTestCard } from '@handoff/psp-sandbox/test-cards';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import {
  cardDetailsOf,
  PspRequestRejected,
  type CardDetails,
  type ConfirmOptions,
  type CreatePaymentRequest,
  type OffSessionSetup,
  type PspConnector,
  type PspPayment,
  type PspRefund,
  type PspStatus,
  type VaultCard,
} from '../connector.js';
import type { MerchantCredentials } from '../merchant-credentials.js';
import type { SandboxAccounts } from './sandbox-accounts.js';
import { SandboxApiError, type Json, type SandboxClient } from './sandbox-client.js';

/** One connector per TEST merchant, over the one client. */
export class SandboxPsp {
  constructor(
    readonly client: SandboxClient,
    readonly accounts: SandboxAccounts,
  ) {}

  for(credentials: MerchantCredentials): PspConnector {
    return new SandboxConnector(this.client, this.accounts, credentials);
  }
}

export class SandboxConnector implements PspConnector {
  readonly provider = PaymentProvider.TEST;

  constructor(
    private readonly client: SandboxClient,
    private readonly accounts: SandboxAccounts,
    private readonly credentials: MerchantCredentials,
  ) {}

  async createPayment(_ctx: unknown, req: CreatePaymentRequest): Promise<PspPayment> {
    const pi = await this.post(
      '/v1/payment_intents',
      {
        amount: req.amountMinor,
        currency: req.currency,
        capture_method: req.captureMode === 'MANUAL' ? 'manual' : 'automatic',
        metadata: req.metadata,
        description: req.description,
      },
      { 'idempotency-key': req.idempotencyKey },
    );
    return fromSandboxPaymentIntent(pi);
  }

  /** Stripe's create with `confirm: true`: the confirm's parameters in the create's body, one call, one key. */
  createAndConfirm(_ctx: unknown, req: CreatePaymentRequest, paymentMethod: string, options: ConfirmOptions): Promise<PspPayment> {
    return this.attempt(
      '/v1/payment_intents',
      {
        amount: req.amountMinor,
        currency: req.currency,
        capture_method: req.captureMode === 'MANUAL' ? 'manual' : 'automatic',
        metadata: req.metadata,
        description: req.description,
        confirm: true,
        payment_method: paymentMethod,
        ...(options.saveForOffSession ? { setup_future_usage: 'off_session' as const } : {}),
        ...(options.offSession ? { off_session: true } : {}),
        ...(options.requestThreeDSecure ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
      },
      req.idempotencyKey,
    );
  }

  /** The number is checked here first (the field's own error, never quoting it), then tokenized at the sandbox. */
  async tokenizeTestCard(_ctx: unknown, cardNumber: string, idempotencyKey?: string): Promise<string> {
    parseTestCard(cardNumber);
    const pm = await this.post('/v1/payment_methods', { type: 'card', card: { number: cardNumber } }, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
    return String(pm.id);
  }

  /** The sandbox's vault takes the number only (its test cards decide the outcome). */
  async vaultCard(_ctx: unknown, card: VaultCard): Promise<{ paymentMethodId: string; brand: string | null; last4: string | null }> {
    const parsed = parseTestCard(card.number, 'paymentMethod.number');
    const pm = await this.post('/v1/payment_methods', { type: 'card', card: { number: card.number } });
    return { paymentMethodId: String(pm.id), brand: parsed.brand, last4: parsed.last4 };
  }

  /** The sandbox's SetupIntent (confirmed at creation): a 402 card_error is the card's decline; requires_action an authentication this flow cannot do. */
  async setupOffSession(_ctx: unknown, paymentMethod: string, idempotencyKey: string): Promise<OffSessionSetup> {
    try {
      const seti = await this.call('/v1/setup_intents', { payment_method: paymentMethod, usage: 'off_session', confirm: true }, { 'idempotency-key': idempotencyKey });
      if (seti.status === 'succeeded') return { ok: true };
      return { ok: false, code: 'authentication_required', declineCode: null, message: 'This card asks for an authentication the card update cannot do; use another card.' };
    } catch (err) {
      if (err instanceof SandboxApiError && err.status === 402) return { ok: false, code: err.error.code ?? 'card_declined', declineCode: err.error.decline_code ?? null, message: err.error.message };
      throw rejectedFrom(err);
    }
  }

  confirmPayment(_ctx: unknown, id: string, paymentMethod: string, _returnUrl: string, options: ConfirmOptions, idempotencyKey: string): Promise<PspPayment> {
    return this.attempt(
      `/v1/payment_intents/${encodeURIComponent(id)}/confirm`,
      {
        payment_method: paymentMethod,
        ...(options.manualCapture ? { capture_method: 'manual' } : {}),
        ...(options.saveForOffSession ? { setup_future_usage: 'off_session' as const } : {}),
        ...(options.offSession ? { off_session: true } : {}),
        ...(options.requestThreeDSecure ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
      },
      idempotencyKey,
    );
  }

  async describePaymentMethod(_ctx: unknown, paymentMethod: string): Promise<CardDetails> {
    let pm: Json;
    try {
      pm = await this.get(`/v1/payment_methods/${encodeURIComponent(paymentMethod)}`);
    } catch (err) {
      throw rejectedFrom(err);
    }
    return cardDetailsOf(pm.card);
  }

  completeThreeDSecure(_ctx: unknown, id: string, approved: boolean, idempotencyKey: string): Promise<PspPayment> {
    return this.attempt(`/v1/payment_intents/${encodeURIComponent(id)}/three_d_secure`, { approved }, idempotencyKey);
  }

  async capturePayment(_ctx: unknown, id: string, amountMinor: number, idempotencyKey: string): Promise<PspPayment> {
    const pi = await this.post(`/v1/payment_intents/${encodeURIComponent(id)}/capture`, { amount_to_capture: amountMinor }, { 'idempotency-key': idempotencyKey });
    return fromSandboxPaymentIntent(pi);
  }

  async cancelPayment(_ctx: unknown, id: string, idempotencyKey: string): Promise<PspPayment> {
    return fromSandboxPaymentIntent(await this.post(`/v1/payment_intents/${encodeURIComponent(id)}/cancel`, {}, { 'idempotency-key': idempotencyKey }));
  }

  async refundPayment(_ctx: unknown, id: string, req: { amountMinor: number; reason: string | null; idempotencyKey: string }): Promise<PspRefund> {
    const refund = await this.post('/v1/refunds', { payment_intent: id, amount: req.amountMinor }, { 'idempotency-key': req.idempotencyKey });
    return { providerRefundId: String(refund.id), status: 'succeeded' };
  }

  /** A confirmation or challenge: a 402 card_error is a decline (an answer, with the intent as it now is), as Stripe's. */
  private async attempt(path: string, body: Json, idempotencyKey: string): Promise<PspPayment> {
    try {
      return fromSandboxPaymentIntent(await this.call(path, body, { 'idempotency-key': idempotencyKey }));
    } catch (err) {
      if (err instanceof SandboxApiError && err.status === 402 && err.error.payment_intent) {
        const e = err.error;
        return { ...fromSandboxPaymentIntent(e.payment_intent!), error: { code: e.code ?? 'card_declined', declineCode: e.decline_code ?? null, message: e.message } };
      }
      throw rejectedFrom(err);
    }
  }

  private async post(path: string, body: Json = {}, headers: Record<string, string> = {}): Promise<Json> {
    try {
      return await this.call(path, body, headers);
    } catch (err) {
      throw rejectedFrom(err);
    }
  }

  private async get(path: string): Promise<Json> {
    const key = await this.accounts.keyFor(this.credentials);
    try {
      return await this.client.get(key, path);
    } catch (err) {
      if (!(err instanceof SandboxApiError) || err.status !== 401) throw err;
      this.accounts.forget(this.credentials.merchantId);
      return this.client.get(await this.accounts.keyFor(this.credentials), path);
    }
  }

  /** With the merchant's key; a key the sandbox no longer knows (its data was reset) sets the account up again, once. */
  private async call(path: string, body: Json, headers: Record<string, string> = {}): Promise<Json> {
    const key = await this.accounts.keyFor(this.credentials);
    try {
      return await this.client.post(key, path, body, headers);
    } catch (err) {
      if (!(err instanceof SandboxApiError) || err.status !== 401) throw err;
      this.accounts.forget(this.credentials.merchantId);
      return this.client.post(await this.accounts.keyFor(this.credentials), path, body, headers);
    }
  }
}

/** The sandbox's payment_intent object in the connector's vocabulary. */
export function fromSandboxPaymentIntent(pi: Json): PspPayment {
  const status = pi.status as PspStatus;
  return {
    providerPaymentId: String(pi.id),
    status,
    amountReceivedMinor: typeof pi.amount_received === 'number' ? pi.amount_received : 0,
    nextAction: status === 'requires_action' ? { type: 'three_d_secure', url: null } : null,
    error: null,
    paymentMethodId: typeof pi.payment_method === 'string' ? pi.payment_method : null,
  };
}

/** A 4xx is the sandbox's refusal (PspRequestRejected with its code); anything else propagates as a plain failure. */
export function rejectedFrom(err: unknown): Error {
  if (err instanceof SandboxApiError) return new PspRequestRejected(err.message, err.error.code ?? err.error.type);
  return err instanceof Error ? err : new Error(String(err));
}
