// Status changes after creation: a merchant expiring a session, a payment succeeding
// (COMPLETE, and the agent session CONVERTED), and the expiry sweep. Each is one transaction;
// cancelling payment intents happens after commit and is retried by the sweep until it answers.
import { invalidStateTransition, versionConflict, type Logger, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentSessionEntity } from '../agent-session/agent-session.entity.js';
import { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import type { PaymentIntents } from '../clients/payment-intents.js';
import type { OutboxNotifier } from '../events.js';
import { scopeCheckoutSessions } from './checkout-session.access.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import { checkoutSessionNotFound } from './checkout-session.errors.js';
import { canTransitionCheckoutSession } from './checkout-session.states.js';
import { saveCheckoutSessionVersioned, transitionAgentSession, transitionCheckoutSession } from './checkout-session.transition.js';

/** What the payment-events job hands over (docs/internal-contracts.md). */
export interface PaymentIntentEvent {
  paymentIntent: { id: string; status: string; checkoutSessionId?: string | null; amountMinor?: number; currency?: string };
  occurredAt?: string;
}

export const EXPIRY_BATCH_SIZE = 200;

export class CheckoutLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentIntents,
    private readonly outbox: OutboxNotifier,
    private readonly logger: Logger,
  ) {}

  /** OPEN → EXPIRED now (Stripe's "expire a session"), then its payment intents are canceled. */
  async expire(principal: Principal, id: string, expectedVersion?: number | null): Promise<CheckoutSessionEntity> {
    const cs = await this.dataSource.transaction(async (manager) => {
      const qb = manager.getRepository(CheckoutSessionEntity).createQueryBuilder('cs').where('cs.id = :id', { id }).setLock('pessimistic_write');
      scopeCheckoutSessions(qb, 'cs', principal);
      const found = await qb.getOne();
      if (!found) throw checkoutSessionNotFound(id);
      if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== found.version) {
        throw versionConflict(expectedVersion, found.version);
      }
      if (found.status !== CheckoutSessionStatus.OPEN) {
        throw invalidStateTransition(`Only an OPEN checkout session can be expired; this one is ${found.status}.`, `checkout_session:${found.status}->EXPIRED`);
      }
      return transitionCheckoutSession(manager, found, CheckoutSessionStatus.EXPIRED);
    });
    this.outbox.notify();
    await this.cancelIntents(cs);
    return cs;
  }

  /**
   * `payment_intent.succeeded`: the session is COMPLETE and its agent session CONVERTED. A second
   * delivery, or an event for a session already complete, changes nothing.
   */
  async completeFromPayment(event: PaymentIntentEvent): Promise<'completed' | 'unchanged'> {
    const sessionId = event.paymentIntent?.checkoutSessionId;
    if (!sessionId) return 'unchanged';
    const outcome = await this.dataSource.transaction(async (manager) => {
      const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!cs) {
        this.logger.warn({ sessionId, paymentIntentId: event.paymentIntent.id }, 'payment succeeded for an unknown checkout session');
        return 'unchanged' as const;
      }
      if (!canTransitionCheckoutSession(cs.status, CheckoutSessionStatus.COMPLETE)) {
        if (cs.status !== CheckoutSessionStatus.COMPLETE) {
          this.logger.warn({ sessionId, status: cs.status }, 'payment succeeded for a checkout session that cannot complete');
        }
        return 'unchanged' as const;
      }
      await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.COMPLETE, cs.paymentIntentId ? {} : { paymentIntentId: event.paymentIntent.id });
      if (cs.agentSessionId) {
        const s = await manager.findOne(AgentSessionEntity, { where: { id: cs.agentSessionId }, lock: { mode: 'pessimistic_write' } });
        // ACTIVE when the crash came between the intent and its recording: go through CHECKOUT.
        if (s && s.status === AgentSessionStatus.ACTIVE) await transitionAgentSession(manager, s, AgentSessionStatus.CHECKOUT);
        if (s && s.status === AgentSessionStatus.CHECKOUT) await transitionAgentSession(manager, s, AgentSessionStatus.CONVERTED);
      }
      return 'completed' as const;
    });
    if (outcome === 'completed') this.outbox.notify();
    return outcome;
  }

  /**
   * Marks open checkout sessions and active agent sessions past their expiry EXPIRED, then
   * cancels the payment intents of expired sessions not yet cancelled. Safe to run concurrently.
   */
  async expireDue(now = new Date()): Promise<{ checkoutSessions: number; agentSessions: number; canceled: number }> {
    const counts = await this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(CheckoutSessionEntity)
        .createQueryBuilder('cs')
        .where(`cs.status = 'OPEN' AND cs.expiresAt <= :now`, { now })
        .orderBy('cs.expiresAt', 'ASC')
        .limit(EXPIRY_BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const cs of due) await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.EXPIRED);
      const idle = await manager
        .getRepository(AgentSessionEntity)
        .createQueryBuilder('s')
        .where(`s.status = 'ACTIVE' AND s.expiresAt <= :now`, { now })
        .limit(EXPIRY_BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const s of idle) await transitionAgentSession(manager, s, AgentSessionStatus.EXPIRED);
      return { checkoutSessions: due.length, agentSessions: idle.length };
    });
    if (counts.checkoutSessions + counts.agentSessions > 0) this.outbox.notify();
    const pending = await this.dataSource
      .getRepository(CheckoutSessionEntity)
      .createQueryBuilder('cs')
      .where(`cs.status = 'EXPIRED' AND cs.paymentIntentsCanceledAt IS NULL`)
      .orderBy('cs.updatedAt', 'ASC')
      .limit(EXPIRY_BATCH_SIZE)
      .getMany();
    let canceled = 0;
    for (const cs of pending) if (await this.cancelIntents(cs)) canceled++;
    return { ...counts, canceled };
  }

  /** Asks payment-intent to cancel the session's intents; on success records it. False when it could not. */
  private async cancelIntents(cs: CheckoutSessionEntity): Promise<boolean> {
    try {
      await this.payments.cancelForCheckout(cs.id);
    } catch (err) {
      this.logger.warn({ err, checkoutSessionId: cs.id }, 'cancelling payment intents failed; the expiry job retries');
      return false;
    }
    await this.dataSource.transaction(async (manager) => {
      const fresh = await manager.findOne(CheckoutSessionEntity, { where: { id: cs.id }, lock: { mode: 'pessimistic_write' } });
      if (fresh && !fresh.paymentIntentsCanceledAt) await saveCheckoutSessionVersioned(manager, fresh, { paymentIntentsCanceledAt: new Date() });
    });
    return true;
  }
}
