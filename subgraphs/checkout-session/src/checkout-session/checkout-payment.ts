// The payment step of both checkout flows, after the session is committed:
//   create intent (payment-intent, idempotent per session) → record it (and, for an agent's
//   checkout, move the agent session to CHECKOUT).
// Compensation: when the PSP or payment-intent refuses for good, the session is CANCELED; when
// payment-intent cannot be reached, nothing is undone, so a retry (same idempotency key → same
// session → same intent) converges.
import { currentRequestId, ErrorCode, HandoffError, hotQuery, InternalCallError, tracedPayload, type Logger } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import { assertAgentSessionTransition } from '../agent-session/agent-session.states.js';
import { attributionMetadata } from '../agent-checkout/attribution.js';
import type { PaymentIntents } from '../ports/payment-intent.port.js';
import { sessionEvent, table, type OutboxNotifier } from '../events.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import { LineItemEntity } from './line-item.entity.js';
import { transitionCheckoutSession } from './checkout-session.transition.js';
import { calculationStale } from '../checkout-lifecycle/payment-commitment.js';
import { termsOf, termsOrDefault, type SessionTerms } from '../checkout-lifecycle/session-terms.js';

/** The event of an agent session moved to CHECKOUT (agent-session.transition.ts's topic for it). */
const agentSessionEventTopic = sessionEvent('agent_session', AgentSessionStatus.CHECKOUT, '', {}).topic;
assertAgentSessionTransition(AgentSessionStatus.ACTIVE, AgentSessionStatus.CHECKOUT);

/**
 * recordIntent's agent-session part ($3 the event's topic, $4 the traceparent to merge into its
 * payload, $5 the request id): the payload is agentSessionSnapshot's shape (expiresAt as
 * Date.toISOString writes it: the column holds milliseconds, written from a JS Date).
 */
const AGENT_SESSION_TO_CHECKOUT = `,
       moved AS (
         UPDATE ${table('agent_sessions')} a SET status = 'CHECKOUT', version = a.version + 1, updated_at = now()
           FROM recorded r WHERE a.id = r.agent_session_id AND a.status = 'ACTIVE'
         RETURNING a.id, a.agent_id, a.status, a.expires_at, a.version),
       event AS (
         INSERT INTO ${table('outbox')} (topic, aggregate_id, payload, request_id)
         SELECT $3::text, m.id,
                jsonb_build_object('agentSession', jsonb_build_object('id', m.id, 'agentId', m.agent_id, 'status', m.status,
                  'expiresAt', to_char(m.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'version', m.version)) || $4::jsonb,
                $5::text
           FROM moved m)`;

export const checkoutCreateFailed = (reason: string, message = 'Could not create checkout: the payment processor rejected the request.') =>
  new HandoffError(ErrorCode.CHECKOUT_CREATE_FAILED, message, { reason });

/** What the intent's metadata holds: the merchant's own pairs, then the attribution (which wins). */
export function paymentMetadataOf(cs: CheckoutSessionEntity): Record<string, string> {
  const md: Record<string, string> = { ...cs.metadata };
  if (cs.aapCode && cs.recommendationId && cs.agentSessionId && cs.offerId && cs.agentId) {
    Object.assign(
      md,
      attributionMetadata(cs.aapCode, {
        recommendationId: cs.recommendationId,
        sessionId: cs.agentSessionId,
        offerId: cs.offerId,
        merchantId: cs.merchantId,
        agentId: cs.agentId,
      }),
    );
  }
  return md;
}

/** "30GB Rolling Monthly", or "Premium Plan and 2 more" (lines in position order). */
export function describeLines(checkoutSessionId: string, lines: ReadonlyArray<{ name: string }>): string {
  if (lines.length === 0) return checkoutSessionId;
  return lines.length === 1 ? lines[0]!.name : `${lines[0]!.name} and ${lines.length - 1} more`;
}

export class CheckoutPayments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentIntents,
    private readonly outbox: OutboxNotifier,
    private readonly logger: Logger,
  ) {}

  /**
   * The session with its payment intent; creates the intent when it has none yet. `description`
   * is the intent's description when the caller just built the session's lines (saves reading
   * them back); otherwise it is derived from the stored lines. `captureMode`: the caller's, when it
   * just built the session and knows its terms; otherwise read from the session's terms.
   */
  async ensureIntent(cs: CheckoutSessionEntity, description?: string, captureMode?: SessionTerms['captureMode']): Promise<CheckoutSessionEntity> {
    if (cs.paymentIntentId) return cs;
    if (cs.status !== CheckoutSessionStatus.OPEN) {
      // A replay of a checkout whose payment step was refused (and compensated) answers the same.
      throw checkoutCreateFailed('checkout_session_not_open');
    }
    // A priced session's intent is for its current calculation's grand total (its totals), never a stale one.
    if (cs.calculationId && cs.calculationStale) throw calculationStale(cs.id, 'stale');
    description ??= await this.describe(cs.id);
    captureMode ??= termsOrDefault((await termsOf(this.dataSource.manager, [cs.id]))[0] ?? null).captureMode;
    let intentId: string;
    try {
      const intent = await this.payments.createForCheckout({
        checkoutSessionId: cs.id,
        merchantId: cs.merchantId,
        amountMinor: cs.totalMinor,
        currency: cs.currency,
        captureMode,
        metadata: paymentMetadataOf(cs),
        description: description.slice(0, 500),
        // payment-intent asks beginCheckoutPayment before confirming it (checkout-lifecycle/payment-commitment.ts).
        bindToCheckout: true,
        customerEmail: cs.customerEmail ?? null,
      });
      intentId = intent.id;
    } catch (err) {
      if (err instanceof HandoffError && (err.code === ErrorCode.CHECKOUT_CREATE_FAILED || err.code === ErrorCode.MERCHANT_NO_PAYMENT_CONNECTOR)) {
        await this.cancelAfterRefusal(cs.id);
        throw err;
      }
      this.logger.warn({ err, checkoutSessionId: cs.id }, 'payment intent creation failed; a retry will resume it');
      if (err instanceof InternalCallError || err instanceof HandoffError) {
        throw checkoutCreateFailed('payment_service_unavailable', 'Could not create checkout: the payment service is unavailable; retry with the same idempotency key.');
      }
      throw err;
    }
    return this.recordIntent(cs, intentId);
  }

  /**
   * Records the intent on the session (once) and moves its agent session, if ACTIVE, to CHECKOUT
   * with its `agent_session.checkout` event: one statement, so atomic without a transaction (it
   * was BEGIN, the UPDATE, the agent session locked and read, its versioned UPDATE and event,
   * COMMIT). The agent session's UPDATE runs only for the session row this statement set, and
   * its `status = 'ACTIVE'` is re-checked on the row as it is once locked (READ COMMITTED's
   * re-check of an UPDATE's WHERE), as the locking read did; its version is bumped in place. The
   * session row is locked before its agent session's, as before (the agent session's UPDATE reads
   * the session's). The event's payload is agentSessionSnapshot's, built from the row written.
   */
  private async recordIntent(known: CheckoutSessionEntity, intentId: string): Promise<CheckoutSessionEntity> {
    const moves = known.agentSessionId !== null && known.agentSessionId !== undefined;
    // A prepared statement (autocommit: hotQuery): its three data-modifying CTEs cost more to plan than to run.
    const [set] = await hotQuery<{ version: number; updatedAt: Date }>(
      this.dataSource.manager,
      moves ? 'record-intent-agent' : 'record-intent',
      `WITH recorded AS (
         UPDATE ${table('checkout_sessions')} SET payment_intent_id = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND payment_intent_id IS NULL RETURNING version, updated_at, agent_session_id)
       ${moves ? AGENT_SESSION_TO_CHECKOUT : ''}
       SELECT version, updated_at AS "updatedAt" FROM recorded`,
      moves
        ? [known.id, intentId, agentSessionEventTopic, JSON.stringify(tracedPayload({})), currentRequestId() ?? null]
        : [known.id, intentId],
    );
    const saved = set
      ? Object.assign(known, { paymentIntentId: intentId, version: set.version, updatedAt: set.updatedAt })
      : await this.dataSource.manager.findOneByOrFail(CheckoutSessionEntity, { id: known.id });
    this.outbox.notify();
    return saved;
  }

  private async describe(checkoutSessionId: string): Promise<string> {
    const lines = await this.dataSource.getRepository(LineItemEntity).find({ where: { checkoutSessionId }, order: { position: 'ASC' } });
    return describeLines(checkoutSessionId, lines);
  }

  private async cancelAfterRefusal(checkoutSessionId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: checkoutSessionId }, lock: { mode: 'pessimistic_write' } });
      if (cs && cs.status === CheckoutSessionStatus.OPEN && !cs.paymentIntentId) {
        await transitionCheckoutSession(manager, cs, CheckoutSessionStatus.CANCELED);
      }
    });
    this.outbox.notify();
  }
}
