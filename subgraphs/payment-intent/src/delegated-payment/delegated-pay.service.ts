// Paying a checkout session with a delegated token (payCheckoutWithDelegatedPayment): the agent
// that delegated the token pays a session of the token's merchant — a merchant's session (no
// agent: the allowance binds exactly its id) or one the agent created — through the session's
// own payment path: its payment intent is confirmed (PaymentIntentCommands.confirm) with the
// token's PSP payment method, so the session's commitment (beginCheckoutPayment: the final
// amount and, for an agent's checkout, the AAP code bound to it) and the merchant's risk rules
// run as for the hosted page. The allowance is checked against the intent's final amount inside
// the confirmation's transaction, under the token's row lock (ConfirmGuard): concurrent pays with
// one token run one at a time and only the first charges.
//
// One-time use (the spec's only allowance reason): the token is CONSUMED by the payment that
// succeeded (or is authorized, processing, or waiting for 3-D Secure); a DECLINED payment charged
// nothing, so the token stays usable for the same checkout until it expires (declinedAttempts
// counts them; the merchant's maxPaymentAttempts bounds them). A refusal (expired, used, wrong
// merchant or checkout, over the allowance) charges nothing and changes nothing.
import { invalidStateTransition, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConfirmGuard, PaymentIntentCommands } from '../payment-intent/payment-intent.commands.js';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import type { CheckoutRiskSignalsSource } from '../ports/checkout-session.port.js';
import { checkoutSessionNotFound } from '../risk/risk.errors.js';
import { DelegatedTokenEntity } from './delegated-token.entity.js';
import { DelegatedTokenStatus } from './delegated-token.states.js';
import { allowanceCurrency, allowanceExceeded, tokenExpired, tokenNotFound, tokenUsed, tokenWrongCheckout, tokenWrongMerchant } from './delegated-payment.errors.js';
import type { DelegatedVault } from './delegated-vault.service.js';

export interface PaidWithToken {
  paymentIntent: PaymentIntentEntity;
  checkoutSessionId: string;
  token: DelegatedTokenEntity;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** The confirmation runs as payment-intent itself: the agent may not act on a merchant's intent otherwise. */
const SELF: Principal = { kind: 'SERVICE', service: 'payment-intent' };

export class DelegatedPayments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: DelegatedVault,
    private readonly commands: PaymentIntentCommands,
    private readonly sessions: CheckoutRiskSignalsSource | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async pay(principal: Principal & { kind: 'AGENT' }, checkoutSessionId: string, tokenId: string, idempotencyKey?: string): Promise<PaidWithToken> {
    if (!SESSION_ID.test(checkoutSessionId)) throw checkoutSessionNotFound(checkoutSessionId.slice(0, 100));
    const token = await this.vault.find(principal, tokenId);
    if (!token) throw tokenNotFound(tokenId);
    const session = this.sessions ? await this.sessions.riskSignals(checkoutSessionId) : null;
    // Another agent's session is not this agent's to see.
    if (!session || (session.agentId !== null && session.agentId !== principal.agentId)) throw checkoutSessionNotFound(checkoutSessionId);
    if (token.merchantId !== session.merchantId) throw tokenWrongMerchant();
    if (token.checkoutSessionId !== checkoutSessionId) throw tokenWrongCheckout();
    if (!session.paymentIntentId) throw invalidStateTransition('This checkout session has no payment to make yet.', 'checkout:no_payment_intent');
    // Early answers on the session's current total (nothing is committed for a refusal); the
    // binding checks run again on the final amount in the confirmation (guard below).
    // A CONSUMED token is left to the confirmation: a retry under the same idempotency key replays its answer.
    if (token.status === DelegatedTokenStatus.ACTIVE) {
      this.checkLive(token);
      this.checkAmount(token, session.amountMinor, session.currency);
    }
    const guard: ConfirmGuard = {
      key: { key: idempotencyKey, operation: 'payCheckoutWithDelegatedPayment', input: { checkoutSessionId, token: token.id }, principal },
      before: async (manager) => {
        const locked = await this.lock(manager, token.id);
        if (locked.status !== DelegatedTokenStatus.ACTIVE) throw tokenUsed();
        this.checkLive(locked);
      },
      charging: async (_manager, intent) => this.checkAmount(token, intent.amountMinor, intent.currency),
      settled: async (manager, intent, declined) => {
        if (declined) {
          await manager.increment(DelegatedTokenEntity, { id: token.id }, 'declinedAttempts', 1);
          return;
        }
        const [, moved] = (await manager.query(
          `UPDATE payment.delegated_payment_tokens SET status = 'CONSUMED', payment_intent_id = $2, consumed_at = $3 WHERE id = $1 AND status = 'ACTIVE'`,
          [token.id, intent.id, this.now()],
        )) as [unknown, number];
        if (moved !== 1) throw tokenUsed(); // the row lock makes this unreachable; never charge past it
      },
    };
    const paymentIntent = await this.commands.confirm(SELF, session.paymentIntentId, { token: token.paymentMethodId }, null, idempotencyKey, guard);
    const after = await this.dataSource.getRepository(DelegatedTokenEntity).findOneByOrFail({ id: token.id });
    return { paymentIntent, checkoutSessionId, token: after };
  }

  private async lock(manager: EntityManager, id: string): Promise<DelegatedTokenEntity> {
    const row = await manager.findOne(DelegatedTokenEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw tokenNotFound(id);
    return row;
  }

  private checkLive(token: DelegatedTokenEntity): void {
    if (token.expiresAt.getTime() <= this.now().getTime()) throw tokenExpired(token.expiresAt);
  }

  private checkAmount(token: DelegatedTokenEntity, amountMinor: number, currency: string): void {
    if (currency.toUpperCase() !== token.currency) throw allowanceCurrency(currency.toUpperCase(), token.currency);
    if (amountMinor > token.maxAmountMinor) throw allowanceExceeded(amountMinor, token.maxAmountMinor, token.currency);
  }
}
