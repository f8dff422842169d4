// The manual review queue (seed 003 §10): payments the merchant's rules (or its fraud provider)
// sent to review are authorized and held (manual capture); a person is assigned, then approves
// (the held payment is captured: the checkout completes) or rejects (the authorization is voided:
// the checkout fails with fraud_block). Each decision is made in the capture's or void's own
// transaction, with who made it and when. A merchant sees and decides its own; an admin any.
import { actorOf, badUserInput, emptyPage, ErrorCode, invalidStateTransition, pageOf, requireKind, type Page, type PageArgs, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { PaymentIntentCommands } from '../payment-intent/payment-intent.commands.js';
import { manualReviewNotFound } from './risk.errors.js';
import { ManualReviewEntity, type ManualReviewStatus } from './risk.entities.js';

export interface ReviewListArgs extends PageArgs {
  merchantId?: string | null;
  status?: ManualReviewStatus | null;
}

const TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

function text(value: string | null | undefined, field: string, max: number, required: boolean): string | null {
  if (value === null || value === undefined || value.trim() === '') {
    if (required) throw badUserInput(field, 'is required.');
    return null;
  }
  if (value.length > max) throw badUserInput(field, `must be at most ${max} characters.`);
  if (!TEXT.test(value)) throw badUserInput(field, 'must not contain control characters.');
  return value.trim();
}

export class ManualReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: PaymentIntentCommands,
  ) {}

  async list(principal: Principal, args: ReviewListArgs): Promise<Page<ManualReviewEntity>> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const qb = this.dataSource.getRepository(ManualReviewEntity).createQueryBuilder('r');
    if (p.kind === 'MERCHANT') {
      if (args.merchantId && args.merchantId !== p.merchantId) return emptyPage();
      qb.andWhere('r.merchantId = :merchantId', { merchantId: p.merchantId });
    } else if (args.merchantId) {
      qb.andWhere('r.merchantId = :merchantId', { merchantId: args.merchantId });
    }
    if (args.status) qb.andWhere('r.status = :status', { status: args.status });
    return pageOf(qb, 'r', args);
  }

  /** The session's latest review the caller may see, or null. */
  async latestFor(principal: Principal, checkoutSessionId: string, manager: EntityManager = this.dataSource.manager): Promise<ManualReviewEntity | null> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN', 'SERVICE');
    const review = await manager.findOne(ManualReviewEntity, { where: { checkoutSessionId }, order: { id: 'DESC' } });
    if (!review || (p.kind === 'MERCHANT' && review.merchantId !== p.merchantId)) return null;
    return review;
  }

  async assign(principal: Principal, checkoutSessionId: string, assignee: string): Promise<ManualReviewEntity> {
    const who = text(assignee, 'assignee', 200, true)!;
    return this.dataSource.transaction(async (manager) => {
      const review = await this.pending(principal, checkoutSessionId, manager, 'be assigned');
      review.assignee = who;
      review.assignedAt = new Date();
      await manager.update(ManualReviewEntity, { id: review.id }, { assignee: review.assignee, assignedAt: review.assignedAt });
      return review;
    });
  }

  /** Captures the held payment (the checkout completes on its succeeded event); an approved review is answered as it is. */
  async approve(principal: Principal, checkoutSessionId: string, rawNote?: string | null): Promise<ManualReviewEntity> {
    const note = text(rawNote, 'note', 2000, false);
    return this.decide(principal, checkoutSessionId, 'APPROVED', (review, steps) => this.commands.capture(principal, review.paymentIntentId, null, steps), note);
  }

  /** Voids the held authorization (the checkout fails with fraud_block); a rejected review is answered as it is. */
  async reject(principal: Principal, checkoutSessionId: string, rawNote?: string | null): Promise<ManualReviewEntity> {
    const note = text(rawNote, 'note', 2000, false);
    const message = 'The payment was rejected in manual review.';
    return this.decide(principal, checkoutSessionId, 'REJECTED', (review, steps) => this.commands.cancelForFraud(principal, review.paymentIntentId, message, steps), note);
  }

  private async decide(
    principal: Principal,
    checkoutSessionId: string,
    to: Exclude<ManualReviewStatus, 'PENDING'>,
    act: (review: ManualReviewEntity, steps: Parameters<PaymentIntentCommands['capture']>[3]) => Promise<unknown>,
    note: string | null,
  ): Promise<ManualReviewEntity> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const review = await this.latestFor(principal, checkoutSessionId);
    if (!review) throw manualReviewNotFound(checkoutSessionId);
    if (review.status === to) return review;
    if (review.status !== 'PENDING') throw invalidStateTransition(`The manual review of checkout session ${checkoutSessionId} is already ${review.status}.`, `manual_review:${review.status.toLowerCase()}`);
    const actor = actorOf(principal);
    try {
      await act(review, {
        // Under the intent's row lock: the review is still pending (a concurrent decision waits, then finds it decided).
        before: async (manager) => {
          const locked = await manager.findOne(ManualReviewEntity, { where: { id: review.id }, lock: { mode: 'pessimistic_write' } });
          if (locked?.status !== 'PENDING') throw invalidStateTransition(`The manual review of checkout session ${checkoutSessionId} is already decided.`, 'manual_review:decided');
        },
        after: async (manager) => {
          await manager.update(ManualReviewEntity, { id: review.id }, { status: to, decidedAt: new Date(), decidedByKind: actor.kind, decidedById: actor.id, note });
        },
      });
    } catch (err) {
      // The loser of two identical decisions answers what the winner did.
      const now = await this.dataSource.manager.findOneBy(ManualReviewEntity, { id: review.id });
      if (now?.status === to && (err as { extensions?: { code?: string } }).extensions?.code === ErrorCode.INVALID_STATE_TRANSITION) return now;
      throw err;
    }
    return this.dataSource.manager.findOneByOrFail(ManualReviewEntity, { id: review.id });
  }

  private async pending(principal: Principal, checkoutSessionId: string, manager: EntityManager, action: string): Promise<ManualReviewEntity> {
    requireKind(principal, 'MERCHANT', 'ADMIN');
    const review = await this.latestFor(principal, checkoutSessionId, manager);
    if (!review) throw manualReviewNotFound(checkoutSessionId);
    const locked = await manager.findOneOrFail(ManualReviewEntity, { where: { id: review.id }, lock: { mode: 'pessimistic_write' } });
    if (locked.status !== 'PENDING') throw invalidStateTransition(`The manual review of checkout session ${checkoutSessionId} cannot ${action}: it is ${locked.status}.`, `manual_review:${locked.status.toLowerCase()}`);
    return locked;
  }
}
