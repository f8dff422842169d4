// Paying a checkout session again after its payment intent was canceled (issue 20). A session has
// one live (not CANCELED) intent at a time; once it is canceled (by the merchant, or a fraud
// refusal) the session, still OPEN, is paid with a successor:
//   - the merchant's createPaymentIntent for the session (REST POST …/sessions/:id/payment-intents)
//     and renewCheckoutPaymentIntent (the merchant, or the hosted page's client secret) answer the
//     session's live intent, creating the successor when its intent is CANCELED;
//   - under the session's advisory lock (the one createForCheckout takes), a live intent of the
//     session is looked for first: concurrent renewals find the one the first created. The
//     database's partial unique index (payment_intents_live_per_session_uq) holds the rule too;
//   - the successor takes its predecessor's terms (amount, currency, capture mode, methods,
//     metadata with the attribution, description; bound to the checkout, so its amount follows
//     the session's calculation when it is confirmed) and a new PSP payment whose idempotency key
//     names the predecessor (a retry finds the same one);
//   - then checkout-session makes it the session's (replaceCheckoutPaymentIntent). If the session
//     is no longer OPEN the successor is canceled again and the refusal passes through. If
//     checkout-session cannot be reached, the successor waits (live, not yet the session's, so it
//     cannot be paid: the payment commitment refuses it) and a retry completes the swap.
import { ErrorCode, HandoffError, invalidStateTransition, type Logger, type Principal } from '@handoff/shared';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { Not, type DataSource } from 'typeorm';
import type { CheckoutIntentReplacer, CheckoutRiskSignals, CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { insertAnnounced, transition } from './payment-intent.changes.js';
import { pspCall, type CommandHooks } from './payment-intent.command-run.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';
import { noPaymentConnector } from './payment-intent.errors.js';
import { sessionAmountDue } from './session-amount.js';

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const sessionNotFound = (id: string) => new HandoffError(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session ${id} was not found.`);

/** The PSP idempotency key of the successor of `previousId` (one per predecessor: a retry finds the same PSP payment). */
export function successorPaymentKey(checkoutSessionId: string, previousId: string): string {
  return `handoff-checkout-renew-${createHash('sha256').update(`${checkoutSessionId}\n${previousId}`).digest('hex').slice(0, 40)}`;
}

export class CheckoutIntentRenewal {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly hooks: CommandHooks,
    private readonly sessions: CheckoutRiskSignalsSource & CheckoutIntentReplacer,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  /** renewCheckoutPaymentIntent: the session's live intent (a successor when its intent was canceled), for its merchant, an admin or its hosted page. */
  async renewFor(principal: Principal, checkoutSessionId: string): Promise<PaymentIntentEntity> {
    if (!ID.test(checkoutSessionId)) throw sessionNotFound(checkoutSessionId.slice(0, 100));
    const session = await this.sessions.riskSignals(checkoutSessionId);
    if (!session || !visibleTo(principal, session)) throw sessionNotFound(checkoutSessionId);
    const id = await this.liveIntentId(session);
    return this.dataSource.manager.findOneByOrFail(PaymentIntentEntity, { id });
  }

  /**
   * Before createPaymentIntent for a session (the merchant's, or an admin naming it): renews a
   * canceled intent only when that create would be accepted (the session is the merchant's, the
   * amount and currency are what it charges), so a refused create writes nothing.
   */
  async renewForCreate(principal: Principal & { kind: 'MERCHANT' | 'ADMIN' }, checkoutSessionId: string, ask: { amountMinor: number; currency: string; merchantId: string | null }): Promise<void> {
    if (!ID.test(checkoutSessionId)) return; // the create refuses it
    const session = await this.sessions.riskSignals(checkoutSessionId);
    const merchantId = principal.kind === 'MERCHANT' ? principal.merchantId : ask.merchantId;
    if (!session || session.merchantId !== merchantId || !session.paymentIntentId) return; // the create answers these
    if (ask.currency?.toUpperCase() !== session.currency || ask.amountMinor !== sessionAmountDue(session)) return;
    await this.liveIntentId(session);
  }

  /**
   * The id of the session's live intent: its own unless that was canceled, else the successor
   * (created, or found when a concurrent call created it), made the session's.
   */
  async liveIntentId(session: CheckoutRiskSignals): Promise<string> {
    const sessionId = session.checkoutSessionId;
    if (!session.paymentIntentId) {
      throw invalidStateTransition(`Checkout session ${sessionId} has no payment intent (it is ${session.status}).`, 'checkout_session:no_payment_intent');
    }
    const current = await this.dataSource.manager.findOneBy(PaymentIntentEntity, { id: session.paymentIntentId, checkoutSessionId: sessionId });
    if (!current) throw sessionNotFound(sessionId);
    if (current.status !== S.CANCELED) return current.id;
    if (session.status !== 'OPEN') throw invalidStateTransition(`Checkout session ${sessionId} is ${session.status}: it takes no new payment intent.`, `checkout_session:${session.status}`);
    const successor = await this.successorOf(current);
    try {
      await this.sessions.replacePaymentIntent(sessionId, current.id, successor.id);
    } catch (err) {
      // The session closed meanwhile (or moved to another intent): the successor must not stay live.
      if (err instanceof HandoffError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) await this.cancelOrphan(successor);
      throw err;
    }
    return successor.id;
  }

  /** The live successor of `previous` (a canceled intent of a session): the one there is, or a new one. */
  private async successorOf(previous: PaymentIntentEntity): Promise<PaymentIntentEntity> {
    const sessionId = previous.checkoutSessionId!;
    const credentials = await this.credentials.get(previous.merchantId);
    if (!credentials) throw noPaymentConnector(previous.merchantId);
    const connector = this.connectors.for(credentials);
    const { intent, created } = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payment-intent:checkout:${sessionId}`]);
      const live = await manager.findOne(PaymentIntentEntity, { where: { checkoutSessionId: sessionId, status: Not(S.CANCELED) }, order: { createdAt: 'DESC' } });
      if (live) return { intent: live, created: false };
      const psp = await pspCall(() =>
        connector.createPayment(
          { manager },
          {
            merchantId: previous.merchantId,
            amountMinor: previous.amountMinor,
            currency: previous.currency,
            captureMode: previous.captureMode,
            metadata: previous.metadata as Record<string, string>,
            description: previous.description,
            idempotencyKey: successorPaymentKey(sessionId, previous.id),
          },
        ),
      );
      const now = new Date();
      const next = manager.create(PaymentIntentEntity, {
        id: ulid(),
        merchantId: previous.merchantId,
        checkoutSessionId: sessionId,
        status: S.REQUIRES_PAYMENT_METHOD,
        currency: previous.currency,
        amountMinor: previous.amountMinor,
        amountCapturedMinor: 0,
        amountRefundedMinor: 0,
        captureMode: previous.captureMode,
        captureModePinned: previous.captureModePinned,
        paymentMethodTypes: previous.paymentMethodTypes,
        provider: credentials.provider,
        providerPaymentId: psp.providerPaymentId,
        metadata: previous.metadata,
        description: previous.description,
        receiptEmail: previous.receiptEmail ?? null,
        nextAction: null,
        lastPaymentError: null,
        paymentMethodId: null,
        checkoutBinding: true,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await insertAnnounced(manager, next, 'payment_intent.created');
      return { intent: next, created: true };
    });
    if (created) this.hooks.committed(intent);
    return intent;
  }

  private async cancelOrphan(intent: PaymentIntentEntity): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const locked = await manager.findOne(PaymentIntentEntity, { where: { id: intent.id }, lock: { mode: 'pessimistic_write' } });
        if (locked?.status === S.REQUIRES_PAYMENT_METHOD) await transition(manager, locked, S.CANCELED, { action: 'be canceled' });
      });
      this.hooks.committed(intent);
    } catch (err) {
      this.logger?.warn({ err, paymentIntentId: intent.id }, 'the successor of a canceled intent could not be canceled after its session refused it');
    }
  }
}

/** Whether `principal` may renew the session's intent: its merchant, an admin, Handoff's services or its hosted page. */
function visibleTo(principal: Principal, session: CheckoutRiskSignals): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      return principal.merchantId === session.merchantId;
    case 'CLIENT':
      return !principal.paymentIntentId && principal.checkoutSessionId === session.checkoutSessionId;
    default:
      return false;
  }
}
