// The sandbox's API for merchants, in Stripe's shape (JSON bodies instead of Stripe's form
// encoding), authenticated with the merchant's secret key (server.ts): the calls Handoff's
// sandbox adapter makes (payment-intent's psp/sandbox/). Every change is one transaction with
// its webhook; a declined attempt answers 402 card_error with the payment intent, as Stripe does.
// Every POST honours Stripe's Idempotency-Key (idempotency.ts): the same key and request again
// answer the stored response without a second change.
import { wroteOutbox } from '@handoff/shared';
import { ulid } from 'ulid';
import { Router, type Request, type Response } from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountEntity } from '../accounts/account.entity.js';
import { invalidParameter, noSuchPayment, SandboxError } from '../errors.js';
import type { Attempt, ConfirmOptions, SandboxPayments } from '../payments/payments.service.js';
import type { SandboxPaymentMethodEntity } from '../payments/payment.entities.js';
import { DECLINES } from '../test-cards.js';
import { paymentIntentObject } from '../webhooks/webhook-events.js';
import { idempotentChange, type ApiResponse } from './idempotency.js';
import { body, idempotencyKey, int, str, stringMap } from './request.js';

export interface ApiDeps {
  dataSource: DataSource;
  payments: SandboxPayments;
  /** After a commit that wrote outbox rows: publish them now. */
  committed(): void;
}

const account = (res: Response): AccountEntity => res.locals.account as AccountEntity;

export function apiRoutes(deps: ApiDeps): Router {
  const r = Router();
  const route = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: (err?: unknown) => void) =>
    void fn(req, res).then((out) => res.json(out), next);
  /** A POST that changes something: its parameters read first (`fn`), then its work in one transaction under its Idempotency-Key. */
  const change = (fn: (req: Request, res: Response) => (m: EntityManager) => Promise<ApiResponse>) => (req: Request, res: Response, next: (err?: unknown) => void) =>
    void (async () => {
      const work = fn(req, res);
      // The relay is told only after a commit that wrote an outbox row (most creates write none: the
      // endpoint takes no payment_intent.created), else its pass is a claim that finds nothing.
      let tx: EntityManager | undefined;
      const out = await idempotentChange(deps.dataSource, account(res).merchantId, req, (m) => work((tx = m)));
      if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
      else if (tx && wroteOutbox(tx)) deps.committed();
      res.status(out.status).json(out.body);
    })().catch(next);

  r.post(
    '/payment_intents',
    change((req, res) => {
      const b = body(req);
      const currency = str(b, 'currency', true, 3);
      if (!/^[A-Za-z]{3}$/.test(currency)) throw invalidParameter('currency', 'Invalid currency.');
      const capture = str(b, 'capture_method', false) ?? 'automatic';
      if (capture !== 'automatic' && capture !== 'manual') throw invalidParameter('capture_method', 'must be automatic or manual.');
      const req0 = {
        amountMinor: int(b, 'amount', true),
        currency: currency.toUpperCase(),
        captureMethod: capture as 'automatic' | 'manual',
        metadata: stringMap(b, 'metadata'),
        description: str(b, 'description', false),
        idempotencyKey: idempotencyKey(req) ?? `auto_${ulid()}`,
      };
      // Stripe's `confirm: true`: created and confirmed with `payment_method` in one call (the confirm's parameters
      // too: `off_session`, …), one transaction; a decline is the 402 card_error a confirmation answers.
      if (b.confirm !== undefined && typeof b.confirm !== 'boolean') throw invalidParameter('confirm', 'must be true or false.');
      if (b.confirm !== true) return async (m) => ok(paymentIntentObject(await deps.payments.create(m, account(res).merchantId, req0)));
      const pm = str(b, 'payment_method', true, 255);
      const options = confirmOptions(b);
      return async (m) => {
        const created = await deps.payments.create(m, account(res).merchantId, req0);
        return attempt(await deps.payments.confirm(m, account(res).merchantId, created.id, pm, options, created));
      };
    }),
  );

  r.get(
    '/payment_intents/:id',
    route(async (req, res) => {
      const p = await deps.payments.find(deps.dataSource.manager, account(res).merchantId, String(req.params.id));
      if (!p) throw noSuchPayment(String(req.params.id));
      return paymentIntentObject(p);
    }),
  );

  r.post(
    '/payment_methods',
    change((req) => {
      const card = body(req).card;
      if (!card || typeof card !== 'object' || Array.isArray(card)) throw invalidParameter('card', 'Missing required param: card.', 'parameter_missing');
      const number = str(card as Record<string, unknown>, 'number', true, 64);
      return async (m) => ok(paymentMethodObject(await deps.payments.tokenize(m, number)));
    }),
  );

  /** Stripe's retrieve: the card's brand, last 4 and fingerprint (risk rules count cards by it). */
  r.get(
    '/payment_methods/:id',
    route(async (req) => {
      const pm = await deps.payments.findPaymentMethod(deps.dataSource.manager, String(req.params.id));
      if (!pm) throw new SandboxError(404, 'invalid_request_error', 'resource_missing', `No such PaymentMethod: '${String(req.params.id).slice(0, 80)}'`, 'id');
      return paymentMethodObject(pm);
    }),
  );

  /**
   * Stripe's SetupIntent, confirmed at once (`confirm: true`, `usage: off_session`): the card is
   * checked for later charges without the buyer, nothing is charged. Its test card decides: the
   * declining cards answer 402 card_error (with `setup_intent`, status requires_payment_method), the
   * 3-D Secure card `requires_action` (the sandbox has no setup challenge), any other succeeds, the
   * off-session-declining card too (as Stripe's "decline after attaching" card does). Not stored:
   * the Idempotency-Key's stored answer is its record.
   */
  r.post(
    '/setup_intents',
    change((req) => {
      const b = body(req);
      const pmId = str(b, 'payment_method', true, 255);
      if (b.confirm !== true) throw invalidParameter('confirm', 'The sandbox confirms SetupIntents at creation: send confirm: true.');
      const usage = str(b, 'usage', false, 20) ?? 'off_session';
      if (usage !== 'off_session' && usage !== 'on_session') throw invalidParameter('usage', 'must be off_session or on_session.');
      return async (m) => {
        const pm = await deps.payments.findPaymentMethod(m, pmId);
        if (!pm) throw invalidParameter('payment_method', 'No such payment method.', 'resource_missing');
        const declined = DECLINES[pm.behaviour];
        const status = declined ? 'requires_payment_method' : pm.behaviour === 'three_d_secure' ? 'requires_action' : 'succeeded';
        const seti = { id: `seti_sbx_${ulid()}`, object: 'setup_intent', status, usage, payment_method: pm.id, livemode: false };
        if (!declined) return ok(seti);
        return { status: 402, body: { error: { type: 'card_error', code: declined.code, decline_code: declined.declineCode, message: declined.message, setup_intent: seti } } };
      };
    }),
  );

  r.post(
    '/payment_intents/:id/confirm',
    change((req, res) => {
      const b = body(req);
      const pm = str(b, 'payment_method', true, 255);
      const options = confirmOptions(b);
      return async (m) => attempt(await deps.payments.confirm(m, account(res).merchantId, String(req.params.id), pm, options));
    }),
  );

  /** The sandbox's own step (Stripe runs it in the buyer's browser): the 3-D Secure challenge's outcome. */
  r.post(
    '/payment_intents/:id/three_d_secure',
    change((req, res) => {
      const approved = body(req).approved;
      if (typeof approved !== 'boolean') throw invalidParameter('approved', 'must be true or false.');
      return async (m) => attempt(await deps.payments.completeThreeDSecure(m, account(res).merchantId, String(req.params.id), approved));
    }),
  );

  r.post(
    '/payment_intents/:id/capture',
    change((req, res) => {
      const amount = int(body(req), 'amount_to_capture', true);
      return async (m) => ok(paymentIntentObject(await deps.payments.capture(m, account(res).merchantId, String(req.params.id), amount)));
    }),
  );

  r.post(
    '/payment_intents/:id/cancel',
    change((req, res) => async (m) => ok(paymentIntentObject(await deps.payments.cancel(m, account(res).merchantId, String(req.params.id))))),
  );

  r.post(
    '/refunds',
    change((req, res) => {
      const b = body(req);
      const paymentId = str(b, 'payment_intent', true, 255);
      const amount = int(b, 'amount', true);
      const key = idempotencyKey(req);
      return async (m) => {
        const refund = await deps.payments.refund(m, account(res).merchantId, paymentId, amount, key);
        return ok({ id: refund.id, object: 'refund', amount: refund.amountMinor, payment_intent: refund.paymentId, status: 'succeeded' });
      };
    }),
  );

  return r;
}

function paymentMethodObject(pm: SandboxPaymentMethodEntity): Record<string, unknown> {
  return { id: pm.id, object: 'payment_method', type: 'card', card: { brand: pm.brand, last4: pm.last4, fingerprint: pm.fingerprint }, livemode: false };
}

/** Stripe's confirm parameters the sandbox honours: `capture_method`, `payment_method_options.card.request_three_d_secure` (`any` forces a challenge; `automatic` is the default); `setup_future_usage` is checked (its tokens are reusable); `off_session: true` declines the off-session-declining test card. */
function confirmOptions(b: Record<string, unknown>): ConfirmOptions {
  const capture = str(b, 'capture_method', false, 20);
  if (capture !== null && capture !== 'automatic' && capture !== 'manual') throw invalidParameter('capture_method', 'must be automatic or manual.');
  const options = b.payment_method_options;
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw invalidParameter('payment_method_options', 'Invalid object: payment_method_options.');
  }
  const card = (options as Record<string, unknown> | undefined)?.card;
  if (card !== undefined && card !== null && (typeof card !== 'object' || Array.isArray(card))) throw invalidParameter('payment_method_options[card]', 'Invalid object.');
  const request = card ? str(card as Record<string, unknown>, 'request_three_d_secure', false, 20) : null;
  if (request !== null && request !== 'any' && request !== 'automatic' && request !== 'challenge') {
    throw invalidParameter('payment_method_options[card][request_three_d_secure]', 'must be any, automatic or challenge.');
  }
  // Stripe's `setup_future_usage` (keep the card for later charges): the sandbox's tokens are always reusable (its vault), so it is checked, not stored.
  const future = str(b, 'setup_future_usage', false, 20);
  if (future !== null && future !== 'off_session' && future !== 'on_session') throw invalidParameter('setup_future_usage', 'must be off_session or on_session.');
  // Stripe's `off_session` (the buyer is not there: a renewal): a boolean.
  if (b.off_session !== undefined && typeof b.off_session !== 'boolean') throw invalidParameter('off_session', 'must be true or false.');
  return { requestThreeDSecure: request === 'any' || request === 'challenge', offSession: b.off_session === true, ...(capture ? { captureMethod: capture } : {}) };
}

const ok = (body: Record<string, unknown>): ApiResponse => ({ status: 200, body });

/**
 * A confirmation or challenge: the payment intent, or 402 card_error carrying it when this
 * attempt was declined (an answer, not a throw: the decline is committed, and stored under the key).
 */
function attempt(a: Attempt): ApiResponse {
  if (!a.error) return ok(paymentIntentObject(a.payment));
  const e = new SandboxError(402, 'card_error', a.error.code, a.error.message, undefined, {
    decline_code: a.error.declineCode,
    payment_intent: paymentIntentObject(a.payment),
  });
  return { status: 402, body: { error: { type: e.type, code: e.code, message: e.message, ...e.extra } } };
}
