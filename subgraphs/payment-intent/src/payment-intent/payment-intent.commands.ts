// Commands on payment intents: create for a checkout session (internal), confirm with a card or
// token, 3-D Secure, capture, cancel. Each is one transaction holding the intent's row lock, in
// which the PSP is asked over its HTTP API (the sandbox and Stripe alike keep their records in
// their own systems, never in Handoff's transaction). Every call that changes something at the
// PSP carries an idempotency key derived from the command (command-run.ts `pspKey`): if the PSP
// acted but the transaction rolled back, the retried command gets the PSP's stored answer and
// records it, and nothing is charged twice; a change never recorded also reaches Handoff by the
// PSP's webhook. Outbox events leave after the commit. Refunds are in refund/refund.service.ts.
import { badUserInput, FRAUD_BLOCK_PAYMENT_ERROR, money, normalizeCurrency, qualifiedTable, type IdempotencyStore, type Principal } from '@handoff/shared';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { PspRequestRejected } from '../psp/connector.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus as S } from './payment-intent.enums.js';
import { RiskAction } from '../risk/risk.model.js';
import { insertAnnounced, PAYMENT_SCHEMA, saveChange, transition } from './payment-intent.changes.js';
import { cannotFromStatus, checkoutCreateFailed, noPaymentConnector } from './payment-intent.errors.js';
import { pspCall, runIntentCommand, type CommandBody, type CommandHooks, type CommandKey, type CommandRunDeps } from './payment-intent.command-run.js';
import { applyPspPayment } from './payment-intent.psp-result.js';
import { CONFIRMABLE, canTransition } from './payment-intent.states.js';
import { checkoutReturnUrl, type CheckoutPaymentTerms, type CheckoutSessions } from '../ports/checkout-session.port.js';
import { rebindToCheckout } from './checkout-binding.js';
import { receiptEmailOrNull, recordReceiptEmail } from './receipt-email.js';
import { coveredByTender, settleByTender } from './tender-payment.js';
import { cardShown, PAID_BY_TRIAL, prepareCheckoutBilling } from '../billing-subscription/billing-checkout.js';
import { saveTrialCardAtStripe, stripeCustomerForCheckout } from '../billing-subscription/stripe-billing-checkout.js';
import { CONFIRM_ATTEMPT } from './payment-intent.timeline.js';
import type { RiskAssessor, RiskContext } from '../risk/risk-assessor.js';
import { confirmOptionsFor, refuseConfirmation, riskData, settleConfirmation } from '../risk/confirm-risk.js';

export interface CreateForCheckoutSpec {
  checkoutSessionId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  captureMode?: CaptureMode | null;
  metadata?: Record<string, unknown> | null;
  description?: string | null;
  /** The session binds the amount: checkout-session is asked before each confirmation (checkout-binding.ts). */
  bindToCheckout?: boolean | null;
  /** The session's customer email when known (the intent's receipt_email). */
  customerEmail?: string | null;
}

export interface PaymentMethodSpec {
  testCard?: string | null;
  token?: string | null;
}

export type { CommandHooks };

const TOKEN = /^pm_[A-Za-z0-9_]{1,120}$/;

/** What runs inside a command's transaction around its PSP call (checks before, records after). */
export interface CommandSteps {
  before?(manager: EntityManager, intent: PaymentIntentEntity): Promise<void>;
  after?(manager: EntityManager, intent: PaymentIntentEntity): Promise<void>;
}

/**
 * A confirmation paid with a delegated token (delegated-payment/): checks in the command's
 * transaction, under the intent's row lock. `before` runs first, `charging` once the amount is
 * final (after the session's commitment), `settled` after the PSP answered (declined or not).
 * A throw rolls the command back: nothing is charged.
 */
export interface ConfirmGuard {
  /** The command's idempotency (its scope's principal, operation and input) instead of confirmPaymentIntent's. */
  key?: CommandKey;
  before(manager: EntityManager, intent: PaymentIntentEntity): Promise<void>;
  charging(manager: EntityManager, intent: PaymentIntentEntity): Promise<void>;
  settled(manager: EntityManager, intent: PaymentIntentEntity, declined: boolean): Promise<void>;
}

/** Marks a PSP payment as Handoff's (webhooks for payments without it are not waited for). */
export const CHECKOUT_METADATA_KEY = 'handoff_checkout_session_id';

export class PaymentIntentCommands {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly hooks: CommandHooks,
    private readonly publicBaseUrl: string,
    /** checkout-session, for intents whose session binds the amount; without it they confirm as they are. */
    private readonly checkout?: CheckoutSessions,
    /** The merchant's risk rules, run before each confirmation (risk/); without it every confirmation is allowed. */
    private readonly risk?: RiskAssessor,
    /** Idempotency keys of confirm, 3-D Secure, capture and cancel (issue 20 item 7). */
    idempotency?: IdempotencyStore,
  ) {
    this.run = { dataSource, credentials, connectors, hooks, idempotency };
  }

  private readonly run: CommandRunDeps;

  /** Internal (checkout-session): idempotent per checkout session. */
  async createForCheckout(spec: CreateForCheckoutSpec): Promise<PaymentIntentEntity> {
    const amount = money(spec.amountMinor, normalizeCurrency(spec.currency, 'input.currency'), 'input.amountMinor');
    if (amount.amountMinor < 1) throw badUserInput('input.amountMinor', 'must be at least 1.');
    if (!spec.checkoutSessionId) throw badUserInput('input.checkoutSessionId', 'is required.');
    const metadata = spec.metadata ?? {};
    const credentials = await this.credentials.get(spec.merchantId);
    if (!credentials) throw noPaymentConnector(spec.merchantId);
    const connector = this.connectors.for(credentials);

    const intent = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payment-intent:checkout:${spec.checkoutSessionId}`]);
      // A plain statement first: a session's first intent (the usual case) finds none, and the entity is loaded only when there is one.
      const [latest] = (await manager.query(
        `SELECT id FROM ${qualifiedTable(PAYMENT_SCHEMA, 'payment_intents')} WHERE checkout_session_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [spec.checkoutSessionId],
      )) as Array<{ id: string }>;
      const existing = latest ? await manager.findOneByOrFail(PaymentIntentEntity, { id: latest.id }) : null;
      if (existing) {
        await recordReceiptEmail(manager, existing, spec.customerEmail);
        // A bound intent's amount follows the session's calculation (updated before confirming): a retry may ask another amount.
        const boundRetry = existing.checkoutBinding && spec.bindToCheckout === true;
        if (existing.merchantId !== spec.merchantId || (existing.amountMinor !== amount.amountMinor && !boundRetry) || existing.currency !== amount.currency) {
          throw badUserInput('input.checkoutSessionId', 'already has a payment intent with other terms.');
        }
        return existing;
      }
      // Handoff's marker never takes one of the caller's 50 PSP keys (Stripe's limit): left off when all 50 are used.
      const pspMetadata = ((md) => (Object.keys(md).length < 50 ? { ...md, [CHECKOUT_METADATA_KEY]: spec.checkoutSessionId } : md))(stringValues(metadata));
      let psp;
      try {
        psp = await connector.createPayment(
          { manager },
          {
            merchantId: spec.merchantId,
            amountMinor: amount.amountMinor,
            currency: amount.currency,
            captureMode: spec.captureMode ?? CaptureMode.AUTOMATIC,
            metadata: pspMetadata,
            description: spec.description ?? null,
            idempotencyKey: checkoutIdempotencyKey(spec.checkoutSessionId),
          },
        );
      } catch (err) {
        if (err instanceof PspRequestRejected) throw checkoutCreateFailed(err.code);
        throw err;
      }
      const created = manager.create(PaymentIntentEntity, {
        id: ulid(),
        merchantId: spec.merchantId,
        checkoutSessionId: spec.checkoutSessionId,
        status: S.REQUIRES_PAYMENT_METHOD,
        currency: amount.currency,
        amountMinor: amount.amountMinor,
        amountCapturedMinor: 0,
        amountRefundedMinor: 0,
        captureMode: spec.captureMode ?? CaptureMode.AUTOMATIC,
        provider: credentials.provider,
        providerPaymentId: psp.providerPaymentId,
        metadata: pspMetadata,
        description: spec.description ?? null,
        nextAction: null,
        lastPaymentError: null,
        paymentMethodId: null,
        checkoutBinding: spec.bindToCheckout === true,
        receiptEmail: receiptEmailOrNull(spec.customerEmail),
        version: 1,
        createdAt: new Date(),
      });
      created.updatedAt = created.createdAt;
      await insertAnnounced(manager, created, 'payment_intent.created');
      return created;
    });
    this.hooks.committed(intent);
    return intent;
  }

  /**
   * The intent's merchant (server-side), an admin, or the hosted page of its checkout session.
   * `riskContext` (the buyer's IP and its country) is taken from a merchant, an admin or a Handoff
   * service; never from the hosted page's own call.
   */
  async confirm(
    principal: Principal,
    id: string,
    method: PaymentMethodSpec | null,
    riskContext: RiskContext | null = null,
    idempotencyKey?: string,
    guard?: ConfirmGuard,
  ): Promise<PaymentIntentEntity> {
    const given = [method?.testCard, method?.token].filter((v) => v !== null && v !== undefined);
    // No method: the one attached (attachPaymentMethod), as Stripe's confirm without payment_method.
    if (method && given.length !== 1) throw badUserInput('paymentMethod', 'give exactly one of testCard or token.');
    if (method?.token !== null && method?.token !== undefined && !TOKEN.test(method.token)) {
      throw badUserInput('paymentMethod.token', 'must be a payment method token (pm_…).');
    }
    // The key's request is named by the token, never by a card number (nothing of a PAN is stored).
    const key: CommandKey = guard?.key ?? { key: idempotencyKey, operation: 'confirmPaymentIntent', input: { token: method?.token ?? null, testCard: method?.testCard ? 'card' : null, riskContext } };
    return this.command(principal, id, 'be confirmed', async (manager, intent, connector, pspKey) => {
      await guard?.before(manager, intent);
      if (!CONFIRMABLE.includes(intent.status)) throw cannotFromStatus('be confirmed', intent.status);
      // A session its gift cards and store credit pay in full needs no card (tender-payment.ts).
      if (!method && !intent.paymentMethodId && !(await coveredByTender(this.checkout, intent))) {
        throw badUserInput('paymentMethod', 'is required: this intent has no payment method attached.');
      }
      const token = method ? (method.token ?? (await connector.tokenizeTestCard({ manager }, method.testCard!, pspKey('tokenize', method.testCard!)))) : intent.paymentMethodId;
      // A bound intent: once the payment method is good, its session commits to paying and says
      // what to charge; the intent's amount follows it before the PSP is asked to confirm.
      const terms = await this.checkoutTerms(intent);
      // The session's customer may have given their email since the intent was created.
      if (terms) await recordReceiptEmail(manager, intent, terms.customerEmail);
      // A SUBSCRIPTION checkout: the intent pays its period 1 (or starts its trial, charging nothing) and the card is kept for renewals (billing-subscription/).
      // A delegated token (ACP) pays once: it cannot be kept for renewals, so it does not start a subscription.
      if (terms?.subscription && guard) throw badUserInput('paymentMethod', 'a SUBSCRIPTION checkout is paid with a card kept for its renewals (the hosted page or confirmPaymentIntent), not a delegated payment token.');
      const subscribing = terms?.subscription ?? null;
      let stripeCustomer: string | null = null;
      if (subscribing) {
        if (!token) throw badUserInput('paymentMethod', 'is required: a subscription keeps the card for its renewals.');
        // Stripe: the card is saved to a Customer of the subscription (stripe-billing-checkout.ts).
        stripeCustomer = await this.psp(() => stripeCustomerForCheckout(connector, intent));
        await prepareCheckoutBilling(manager, intent, { ...subscribing, card: await cardShown(connector, manager, token), ...(stripeCustomer ? { providerCustomerId: stripeCustomer } : {}) });
        if (terms!.amountMinor === 0) {
          if (stripeCustomer) await this.psp(() => saveTrialCardAtStripe(connector, intent, stripeCustomer!, token, checkoutReturnUrl(this.publicBaseUrl, intent.checkoutSessionId, this.checkout)));
          intent.paymentMethodId = token;
          await settleByTender(manager, intent, terms!, PAID_BY_TRIAL);
          return null;
        }
      }
      if (terms && terms.amountMinor === 0 && !guard) {
        await settleByTender(manager, intent, terms);
        return null;
      }
      if (!token) throw badUserInput('paymentMethod', 'is required: this intent has no payment method attached.');
      if (terms) await rebindToCheckout(manager, intent, connector, terms);
      // The amount is final here: a delegated token checks its allowance against it.
      await guard?.charging(manager, intent);
      intent.paymentMethodId = token;
      // The merchant's risk rules, once the amount is final: BLOCK refuses here (the refusal recorded), the others shape the PSP call.
      const context = principal.kind === 'CLIENT' ? null : riskContext;
      const risk = this.risk ? await this.risk.beforeConfirm(manager, intent, connector, token, context) : null;
      if (risk?.action === RiskAction.BLOCK) return refuseConfirmation(manager, intent, risk);
      const options = { ...(await confirmOptionsFor(manager, intent, risk)), ...(subscribing ? { saveForOffSession: true, ...(stripeCustomer ? { customer: stripeCustomer } : {}) } : {}) };
      const returnUrl = checkoutReturnUrl(this.publicBaseUrl, intent.checkoutSessionId, this.checkout);
      const psp = await this.psp(() => connector.confirmPayment({ manager }, intent.providerPaymentId!, token, returnUrl, options, pspKey('confirm')));
      // The attempt goes to the checkout's timeline before what it came to (payment-intent.timeline.ts).
      await applyPspPayment(manager, intent, psp, 'be confirmed', { [CONFIRM_ATTEMPT]: true, ...(risk ? riskData(risk) : {}) });
      await settleConfirmation(manager, intent, risk, psp);
      await guard?.settled(manager, intent, psp.error !== null);
      return psp.error;
    }, key);
  }

  /** What the session of a bound intent says it must charge (its commitment to paying); null for any other intent. */
  private async checkoutTerms(intent: PaymentIntentEntity): Promise<CheckoutPaymentTerms | null> {
    if (!this.checkout || !intent.checkoutBinding || !intent.checkoutSessionId) return null;
    return this.checkout.beginPayment(intent.checkoutSessionId, intent.id);
  }

  async completeThreeDSecure(principal: Principal, id: string, approved: boolean, idempotencyKey?: string): Promise<PaymentIntentEntity> {
    return this.command(principal, id, 'complete 3-D Secure', async (manager, intent, connector, pspKey) => {
      if (intent.status !== S.REQUIRES_ACTION) throw cannotFromStatus('complete 3-D Secure', intent.status);
      const psp = await this.psp(() => connector.completeThreeDSecure({ manager }, intent.providerPaymentId!, approved, pspKey('three-d-secure')));
      await applyPspPayment(manager, intent, psp, 'complete 3-D Secure', { threeDSecure: approved ? 'approved' : 'failed' });
      return psp.error;
    }, { key: idempotencyKey, operation: 'completeThreeDSecure', input: { approved } });
  }

  /** MANUAL capture; a partial capture releases the rest. `steps` run in its transaction (a manual review's approval). */
  async capture(principal: Principal, id: string, amountMinor: number | null | undefined, steps: CommandSteps = {}, idempotencyKey?: string): Promise<PaymentIntentEntity> {
    return this.command(principal, id, 'be captured', async (manager, intent, connector, pspKey) => {
      if (intent.captureMode !== CaptureMode.MANUAL || intent.status !== S.REQUIRES_CAPTURE) throw cannotFromStatus('be captured', intent.status);
      const amount = amountMinor ?? intent.amountMinor;
      if (!Number.isSafeInteger(amount) || amount < 1 || amount > intent.amountMinor) {
        throw badUserInput('amountMinor', `must be between 1 and the authorized ${intent.amountMinor}.`);
      }
      await steps.before?.(manager, intent);
      const psp = await this.psp(() => connector.capturePayment({ manager }, intent.providerPaymentId!, amount, pspKey('capture')));
      await applyPspPayment(manager, intent, { ...psp, amountReceivedMinor: psp.amountReceivedMinor || amount }, 'be captured');
      await saveChange(manager, intent, 'payment_intent.captured', { amountCapturedMinor: intent.amountCapturedMinor, releasedMinor: intent.amountMinor - intent.amountCapturedMinor });
      await steps.after?.(manager, intent);
      return null;
    }, { key: idempotencyKey, operation: 'capturePaymentIntent', input: { amountMinor: amountMinor ?? null } });
  }

  /**
   * A fraud refusal of an intent not yet paid (a manual review rejected, a fraud provider's block):
   * the authorization is voided at the PSP (or the unconfirmed payment canceled), the refusal is
   * recorded as a failed attempt (lastPaymentError fraud_block: the checkout's failure reason), and
   * the intent is CANCELED. `steps` run in its transaction.
   */
  async cancelForFraud(principal: Principal, id: string, message: string, steps: CommandSteps = {}): Promise<PaymentIntentEntity> {
    return this.command(principal, id, 'be canceled', async (manager, intent, connector, pspKey) => {
      if (!canTransition(intent.status, S.CANCELED)) throw cannotFromStatus('be canceled', intent.status);
      await steps.before?.(manager, intent);
      await this.psp(() => connector.cancelPayment({ manager }, intent.providerPaymentId!, pspKey('cancel')));
      intent.lastPaymentError = { code: FRAUD_BLOCK_PAYMENT_ERROR, declineCode: null, message };
      await saveChange(manager, intent, 'payment_intent.payment_failed', { error: { code: FRAUD_BLOCK_PAYMENT_ERROR, declineCode: null } });
      intent.nextAction = null;
      await transition(manager, intent, S.CANCELED, { action: 'be canceled' });
      await steps.after?.(manager, intent);
      return null;
    });
  }

  async cancel(principal: Principal, id: string, idempotencyKey?: string): Promise<PaymentIntentEntity> {
    return this.command(principal, id, 'be canceled', async (manager, intent, connector, pspKey) => {
      if (!canTransition(intent.status, S.CANCELED)) throw cannotFromStatus('be canceled', intent.status);
      await this.psp(() => connector.cancelPayment({ manager }, intent.providerPaymentId!, pspKey('cancel')));
      intent.nextAction = null;
      await transition(manager, intent, S.CANCELED, { action: 'be canceled' });
      return null;
    }, { key: idempotencyKey, operation: 'cancelPaymentIntent', input: {} });
  }

  /** Internal (checkout expiry): cancels the session's intent unless it is paid or in flight. */
  async cancelForCheckout(principal: Principal, checkoutSessionId: string): Promise<number> {
    const cancelable = [S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_CONFIRMATION, S.REQUIRES_ACTION, S.REQUIRES_CAPTURE];
    // The session's live intent (after a canceled one, its successor: checkout-renewal.ts).
    const intent = await this.dataSource.getRepository(PaymentIntentEntity).findOne({ where: { checkoutSessionId, status: In(cancelable) }, order: { createdAt: 'DESC' } });
    if (!intent || !cancelable.includes(intent.status)) return 0;
    try {
      await this.cancel(principal, intent.id);
      return 1;
    } catch (err) {
      if ((err as { extensions?: { code?: string } }).extensions?.code === 'INVALID_STATE_TRANSITION') return 0; // moved meanwhile
      throw err;
    }
  }

  private command(principal: Principal, id: string, action: string, body: CommandBody, key?: CommandKey): Promise<PaymentIntentEntity> {
    return runIntentCommand(this.run, principal, id, action, body, key);
  }

  private psp<T>(call: () => Promise<T>): Promise<T> {
    return pspCall(call);
  }
}

/** PSP metadata values are strings (Stripe's rule); objects become JSON. */
function stringValues(metadata: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

/** The PSP idempotency key of a checkout session's create (ids are opaque: hashed to a safe shape). */
export function checkoutIdempotencyKey(checkoutSessionId: string): string {
  return `handoff-checkout-${createHash('sha256').update(checkoutSessionId).digest('hex').slice(0, 40)}`;
}
