// Status changes after creation: a merchant expiring a session, a payment succeeding
// (COMPLETE, and the agent session CONVERTED), and the expiry sweep. Each is one transaction;
// cancelling payment intents happens after commit and is retried by the sweep until it answers.
// Each writes the merchant's webhook event (checkout.expired / completed through
// transitionCheckoutSession; checkout.failed for a payment mismatch: checkout.webhook-event.ts).
import { chargedAtCheckout, subscriptionPlanOf } from '../subscription-lines/subscription-lines.js';
import type { AcpOrderEvents } from '../acp-order/acp-order.events.js';
import { invalidStateTransition, versionConflict, type Logger, type Principal, serviceActor } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentSessionEntity } from '../agent-session/agent-session.entity.js';
import { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import { transitionAgentSession } from '../agent-session/agent-session.transition.js';
import { releasePromotions } from '../promotion/promotion.redemption.js';
import type { PaymentIntents } from '../ports/payment-intent.port.js';
import { sessionEvent, table, type OutboxNotifier } from '../events.js';
import { scopeCheckoutSessions } from './checkout-session.access.js';
import { CheckoutSessionEntity, type PaymentMismatchRecord } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import { checkoutSessionNotFound } from './checkout-session.errors.js';
import { canTransitionCheckoutSession } from './checkout-session.states.js';
import { checkoutSessionSnapshot, saveCheckoutSessionVersioned, transitionCheckoutSession } from './checkout-session.transition.js';
import { checkoutWebhookEvent, checkoutWebhookObject } from './checkout.webhook-event.js';
import { checkoutAudit } from './checkout.audit.js';
import { paymentMismatchEntry } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { recordFailure, resolveOpenFailure } from '../remediation/failure-record.js';
import { captureHolds, heldTotal, releaseHolds } from '../tender/tender-holds.js';

/** What the payment-events job hands over (docs/internal-contracts.md). */
export interface PaymentIntentEvent {
  paymentIntent: { id: string; status: string; checkoutSessionId?: string | null; amountMinor?: number; currency?: string };
  occurredAt?: string;
}

export const EXPIRY_BATCH_SIZE = 200;

/**
 * Null when the succeeded payment is for exactly the session's total, in its currency; else
 * what was expected and what the event reported (an event that does not say counts as a mismatch).
 */
export function paymentMismatchOf(
  cs: Pick<CheckoutSessionEntity, 'totalMinor' | 'currency'>,
  event: PaymentIntentEvent,
  now: Date = new Date(),
): PaymentMismatchRecord | null {
  const amount = event.paymentIntent.amountMinor;
  const currency = event.paymentIntent.currency;
  const receivedAmountMinor = typeof amount === 'number' && Number.isSafeInteger(amount) ? amount : null;
  const receivedCurrency = typeof currency === 'string' ? currency.toUpperCase() : null;
  if (receivedAmountMinor === cs.totalMinor && receivedCurrency === cs.currency.toUpperCase()) return null;
  return {
    paymentIntentId: event.paymentIntent.id,
    expectedAmountMinor: cs.totalMinor,
    expectedCurrency: cs.currency,
    receivedAmountMinor,
    receivedCurrency,
    detectedAt: now.toISOString(),
  };
}

export class CheckoutLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentIntents,
    private readonly outbox: OutboxNotifier,
    private readonly logger: Logger,
    /** An ACP session's order events (acp-order/): its order_create when it completes. */
    private readonly acpOrders: AcpOrderEvents,
  ) {}

  /**
   * Counts as the payment-events job's: the intent of a session's card payment failed or was
   * canceled: the session's held gift cards and store credit go back (all or nothing). A session
   * already complete has nothing held (its holds were captured); a redelivery finds nothing to release.
   */
  async releaseTenderOfFailedPayment(event: PaymentIntentEvent): Promise<number> {
    const sessionId = event.paymentIntent?.checkoutSessionId;
    if (!sessionId) return 0;
    const released = await this.dataSource.transaction(async (manager) => {
      const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!cs || cs.paymentIntentId !== event.paymentIntent.id) return [];
      return releaseHolds(manager, cs.id, `payment ${event.paymentIntent.status}`);
    });
    return released.length;
  }

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
      await transitionCheckoutSession(manager, found, CheckoutSessionStatus.EXPIRED);
      await releasePromotions(manager, found.id);
      await releaseHolds(manager, found.id, 'checkout expired');
      return found;
    });
    this.outbox.notify();
    await this.cancelIntents(cs);
    return cs;
  }

  /**
   * `payment_intent.succeeded`: the session is COMPLETE and its agent session CONVERTED. A second
   * delivery, or an event for a session already complete, changes nothing. A payment for another
   * amount or currency than the session's total does not complete it: the session keeps its
   * status, records the mismatch (`paymentMismatch`), announces `checkout_session.payment_mismatch`
   * and logs an error ('flagged'; a redelivery of the same flag changes nothing).
   *
   * `settledFirst` (the payment-events worker): most events arrive after pay's own completion
   * (payment-succeeded.route.ts) made the session COMPLETE, a status nothing leaves; an unlocked
   * read that sees it so answers 'unchanged' without a transaction or the session's row lock, which
   * a finalization running right after pay would otherwise wait for.
   */
  async completeFromPayment(event: PaymentIntentEvent, opts: { settledFirst?: boolean } = {}): Promise<'completed' | 'flagged' | 'unchanged'> {
    const sessionId = event.paymentIntent?.checkoutSessionId;
    if (!sessionId) return 'unchanged';
    if (opts.settledFirst) {
      const [seen]: Array<{ status: string }> = await this.dataSource.query(`SELECT status FROM ${table('checkout_sessions')} WHERE id = $1`, [sessionId]);
      if (seen?.status === CheckoutSessionStatus.COMPLETE) return 'unchanged';
    }
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
      // The card paid the total minus the gift cards and store credit held: those are spent with it.
      const held = await heldTotal(manager, cs.id);
      // A subscription's trial charged nothing at checkout (its commitment was 0: subscription-lines.ts).
      const due = chargedAtCheckout(await subscriptionPlanOf(manager, cs)) ? cs.totalMinor - held : 0;
      const mismatch = paymentMismatchOf({ totalMinor: due, currency: cs.currency }, event);
      if (mismatch) {
        if (cs.paymentMismatch?.paymentIntentId === mismatch.paymentIntentId) return 'unchanged' as const;
        const before = checkoutWebhookObject(cs);
        await saveCheckoutSessionVersioned(manager, cs, { paymentMismatch: mismatch });
        // The merchant's checkout.failed, the audit row and the timeline entry, in one statement: the session cannot complete as it is.
        await recordCheckoutChange(
          manager,
          [
            sessionEvent('checkout_session', 'payment_mismatch', cs.id, { ...checkoutSessionSnapshot(cs), paymentMismatch: mismatch }),
            checkoutWebhookEvent('checkout.failed', cs, before),
            ...checkoutAudit('payment_mismatch', cs, before, checkoutWebhookObject(cs)),
          ],
          [paymentMismatchEntry(cs, mismatch)],
        );
        // A person must look at it: it is the checkout's failure until resolved (remediation).
        await recordFailure(manager, {
          checkoutSessionId: cs.id,
          merchantId: cs.merchantId,
          category: 'payment_amount_mismatch',
          reason: 'payment_amount_mismatch',
          message: `A payment of ${mismatch.receivedAmountMinor ?? 'an unreported amount'} ${mismatch.receivedCurrency ?? ''} minor units succeeded for a session whose total is ${mismatch.expectedAmountMinor} ${mismatch.expectedCurrency}: not completed.`,
          detail: { ...mismatch },
          paymentIntentId: mismatch.paymentIntentId,
          at: new Date(mismatch.detectedAt),
          actor: serviceActor('payment-intent'),
        });
        this.logger.error({ checkoutSessionId: cs.id, ...mismatch }, 'payment succeeded for another amount or currency than the checkout session: not completed, flagged');
        return 'flagged' as const;
      }
      // A session that came through ACP: the order_create to its agent platform, with the change.
      const orderCreate = await this.acpOrders.event(manager, 'order_create', cs, 'confirmed');
      await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.COMPLETE, cs.paymentIntentId ? {} : { paymentIntentId: event.paymentIntent.id }, orderCreate);
      await captureHolds(manager, cs.id);
      // Paid after all: its open failure (a declined attempt…) is over.
      await resolveOpenFailure(manager, cs.id, { resolution: 'completed', actor: serviceActor('checkout-session') });
      if (cs.agentSessionId) {
        const s = await manager.findOne(AgentSessionEntity, { where: { id: cs.agentSessionId }, lock: { mode: 'pessimistic_write' } });
        // ACTIVE when the crash came between the intent and its recording: go through CHECKOUT.
        if (s && s.status === AgentSessionStatus.ACTIVE) await transitionAgentSession(manager, s, AgentSessionStatus.CHECKOUT);
        if (s && s.status === AgentSessionStatus.CHECKOUT) await transitionAgentSession(manager, s, AgentSessionStatus.CONVERTED);
      }
      return 'completed' as const;
    });
    if (outcome !== 'unchanged') this.outbox.notify();
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
      for (const cs of due) {
        await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.EXPIRED);
        // Its promotion uses go back to the pool (a session that expired never paid).
        await releasePromotions(manager, cs.id);
        await releaseHolds(manager, cs.id, 'checkout expired');
      }
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

  /** Asks payment-intent to cancel the session's intents; on success records it. False when it could not (the expiry job retries). */
  async cancelIntents(cs: CheckoutSessionEntity): Promise<boolean> {
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
