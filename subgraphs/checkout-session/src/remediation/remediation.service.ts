// Failed checkouts as a merchant's support team sees them (seed 003 §15): the list of open
// failures (merchant: its own; admin: any, or one merchant's), a session's failure history and
// support notes, writing a note, and recording what the payment events report (a declined
// attempt, a payment for another amount than the session's total). Resolutions are in
// resolve.service.ts; the rows are written by failure-record.ts.
import {
  badUserInput,
  emptyPage,
  optionalId,
  FRAUD_BLOCK_PAYMENT_ERROR,
  pageOf,
  requireKind,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Page,
  type PageArgs,
  type PaymentAttemptError,
  type Principal,
  knownActorOf,
  serviceActor,
} from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { table } from '../events.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import type { CheckoutSessionService } from '../checkout-session/checkout-session.service.js';
import type { PaymentIntentEvent } from '../checkout-session/checkout-session.lifecycle.js';
import { isStaleFailureEvent, recordFailure } from './failure-record.js';
import { CheckoutFailureEntity, CheckoutSupportNoteEntity } from './remediation.entity.js';
import { noteText, reasonFilter } from './remediation.validation.js';

export interface FailureListArgs extends PageArgs {
  merchantId?: string | null;
  reason?: string | null;
  since?: Date | null;
}

/** A `payment_intent.payment_failed` event: the intent with its last error (the contract's record). */
export type PaymentFailedEvent = PaymentIntentEvent & { paymentIntent: PaymentIntentEvent['paymentIntent'] & { lastPaymentError?: PaymentAttemptError | null } };

const noteCodec: IdempotencyCodec<CheckoutSupportNoteEntity> = {
  toStored: (n) => ({ id: n.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(CheckoutSupportNoteEntity, { id: stored.id }),
};

/** A decline code as a reason suffix: lower case letters, digits and `_`, at most 100. */
const reasonCode = (code: string | null | undefined) => (code ?? 'unknown').toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 100) || 'unknown';

export class RemediationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly sessions: CheckoutSessionService,
  ) {}

  /** Open failures of sessions that did not complete (nor were canceled), oldest first. */
  async list(principal: Principal, args: FailureListArgs): Promise<Page<CheckoutFailureEntity>> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const merchantId = optionalId(args.merchantId ?? undefined, 'merchantId');
    const filter = reasonFilter(args.reason);
    if (args.since !== null && args.since !== undefined && Number.isNaN(args.since.getTime())) throw badUserInput('since', 'must be a date-time.');
    const qb = this.dataSource
      .getRepository(CheckoutFailureEntity)
      .createQueryBuilder('f')
      .where('f.resolved_at IS NULL')
      .andWhere(`EXISTS (SELECT 1 FROM ${table('checkout_sessions')} s WHERE s.id = f.checkout_session_id AND s.status IN ('OPEN', 'EXPIRED'))`);
    if (p.kind === 'MERCHANT') {
      // Another merchant's failures are not the caller's to see: none.
      if (merchantId && merchantId !== p.merchantId) return emptyPage();
      qb.andWhere('f.merchant_id = :merchantId', { merchantId: p.merchantId });
    } else if (merchantId) {
      qb.andWhere('f.merchant_id = :merchantId', { merchantId });
    }
    if (filter && 'category' in filter) qb.andWhere('f.category = :category', { category: filter.category });
    if (filter && 'reason' in filter) qb.andWhere('f.reason = :reason', { reason: filter.reason });
    if (args.since) qb.andWhere('f.last_failed_at >= :since', { since: args.since });
    return pageOf(qb, 'f', args);
  }

  /** Every failure of each session (open and resolved), oldest first; the sessions are already authorized. */
  async failuresOf(sessionIds: readonly string[]): Promise<CheckoutFailureEntity[][]> {
    const rows = await this.dataSource
      .getRepository(CheckoutFailureEntity)
      .createQueryBuilder('f')
      .where('f.checkout_session_id = ANY(:ids)', { ids: [...sessionIds] })
      .orderBy('f.id', 'ASC')
      .getMany();
    return sessionIds.map((id) => rows.filter((r) => r.checkoutSessionId === id));
  }

  /** The notes on each session, oldest first; the sessions are already authorized. */
  async notesOf(sessionIds: readonly string[]): Promise<CheckoutSupportNoteEntity[][]> {
    const rows = await this.dataSource
      .getRepository(CheckoutSupportNoteEntity)
      .createQueryBuilder('n')
      .where('n.checkout_session_id = ANY(:ids)', { ids: [...sessionIds] })
      .orderBy('n.id', 'ASC')
      .getMany();
    return sessionIds.map((id) => rows.filter((r) => r.checkoutSessionId === id));
  }

  /** A support note on a session (its merchant or an admin); the author is the caller's key. */
  async addNote(principal: Principal, id: string, rawNote: string, key?: string): Promise<CheckoutSupportNoteEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const note = noteText(rawNote, 'note');
    const cs = await this.sessions.findVisible(p, id);
    if (!cs) throw checkoutSessionNotFound(id);
    const author = knownActorOf(p);
    return this.idempotency.run(
      { principal: p, key, operation: 'addCheckoutSupportNote', input: { id, note } },
      async (manager) => {
        const row = manager.create(CheckoutSupportNoteEntity, {
          id: `csn_${ulid()}`, checkoutSessionId: cs.id, merchantId: cs.merchantId, note, authorKind: author.kind, authorId: author.id, createdAt: new Date(),
        });
        await manager.insert(CheckoutSupportNoteEntity, row);
        return row;
      },
      noteCodec,
    );
  }

  /**
   * `payment_intent.payment_failed`: the session's failure is `payment_declined:<decline code>`
   * (`fraud_block` when payment-intent refused it as fraud: lastPaymentError.code fraud_block)
   * (its open failure takes it), unless the session completed or was canceled meanwhile, or the
   * event is a redelivery or older than a resolution of the session.
   */
  async recordPaymentFailure(event: PaymentFailedEvent, sourceEvent: string): Promise<'recorded' | 'unchanged'> {
    const sessionId = event.paymentIntent?.checkoutSessionId;
    if (!sessionId) return 'unchanged';
    const at = event.occurredAt ? new Date(event.occurredAt) : new Date();
    const error = event.paymentIntent.lastPaymentError ?? null;
    const code = reasonCode(error?.declineCode ?? error?.code);
    return this.dataSource.transaction(async (manager) => {
      const cs = await lockOpenSession(manager, sessionId);
      if (!cs || (await isStaleFailureEvent(manager, cs.id, at, sourceEvent))) return 'unchanged' as const;
      // A fraud refusal (payment-intent's risk rules, the merchant's fraud provider, a rejected manual review) is fraud_block.
      const fraud = error?.code === FRAUD_BLOCK_PAYMENT_ERROR;
      const recorded = await recordFailure(manager, {
        checkoutSessionId: cs.id,
        merchantId: cs.merchantId,
        category: fraud ? 'fraud_block' : 'payment_declined',
        reason: fraud ? 'fraud_block' : `payment_declined:${code}`,
        message: fraud
          ? "The payment was refused as fraud (the merchant's risk rules, its fraud provider, or a manual review)."
          : `The payment attempt was declined (${error?.code ?? 'declined'}${error?.declineCode ? ` / ${error.declineCode}` : ''}).`,
        detail: { code: error?.code ?? null, declineCode: error?.declineCode ?? null },
        paymentIntentId: event.paymentIntent.id,
        at,
        actor: serviceActor('payment-intent'),
        sourceEvent,
      });
      return recorded ? ('recorded' as const) : ('unchanged' as const);
    });
  }
}

/** The session locked, when it can still fail (OPEN, or EXPIRED unpaid); null otherwise. */
async function lockOpenSession(manager: EntityManager, id: string): Promise<CheckoutSessionEntity | null> {
  const cs = await manager.findOne(CheckoutSessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  return cs && (cs.status === CheckoutSessionStatus.OPEN || cs.status === CheckoutSessionStatus.EXPIRED) ? cs : null;
}
