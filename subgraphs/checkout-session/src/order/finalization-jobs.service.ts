// Finalization jobs (seed 003 §8): `finalize/async` answers a job id at once and a BullMQ job
// finalizes (the same exactly-once finalize as the sync route); `finalize/rollback` undoes a
// finalization: the request moves the order to ROLLING_BACK and queues the rollback job (in one
// transaction with the job row), and the job undoes each local step in reverse (rollback-steps.ts:
// the reservation released or its sold units restocked, gift cards and store credit released or
// restored, each in a transaction of its own, recorded on the order and in the timeline once),
// then voids or refunds the payment through payment-intent.
// Both jobs leave through the outbox (checkout_finalization.* → their queues), so a job is never
// lost: the relay adds it until Redis has it, and BullMQ retries it with backoff (10 attempts); a
// retried (or concurrently redelivered) rollback skips the steps already undone.
// A rollback with a step (or the payment) not undone after its last attempt is FAILED, recorded in
// the timeline (order.rollback_failed, naming the step) and on the order (compensation_failed),
// logged as an error, and stays in the queue's failed set that operators list and replay
// (/v1/checkout/queues/…/failed: a replay resumes at the failed step); the order stays ROLLING_BACK.
import { addToOutbox, HandoffError, IdempotencyStore, requireKind, type Logger, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { compensateStep } from './rollback-steps.js';
import { SCHEMA_NAME, type OutboxNotifier } from '../events.js';
import type { PaymentCompensations } from '../ports/payment-intent.port.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { FinalizationJobEntity, OrderEntity, type FinalizationJobKind, type OrderStepRecord } from './order.entity.js';
import { orderEntry, orderWebhookEvent } from './order.events.js';
import type { AcpOrderEvents } from '../acp-order/acp-order.events.js';
import { finalizationNotFound, nothingToRollBack } from './order.errors.js';
import { FINALIZERS, type FinalizationService } from './finalization.service.js';
import type { FinalizationStep } from './finalization.steps.js';

export const FINALIZE_REQUESTED_TOPIC = 'checkout_finalization.requested';
export const ROLLBACK_REQUESTED_TOPIC = 'checkout_finalization.rollback';

const AS_CHECKOUT: Principal = { kind: 'SERVICE', service: 'checkout-session' };

const jobCodec = {
  toStored: (j: FinalizationJobEntity) => ({ jobId: j.id }),
  fromStored: (s: { jobId: string }, manager: EntityManager) => manager.findOneByOrFail(FinalizationJobEntity, { id: s.jobId }),
};

export class FinalizationJobs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly finalization: FinalizationService,
    private readonly payments: PaymentCompensations,
    private readonly steps: readonly FinalizationStep[],
    private readonly outbox: OutboxNotifier,
    private readonly logger: Logger,
    /** An ACP session's order events (acp-order/): order_update canceled when its order is rolled back. */
    private readonly acpOrders: AcpOrderEvents,
  ) {}

  /** Refuses at once what finalize would refuse (nothing written), else queues the finalization. */
  async enqueueFinalize(principal: Principal, id: string, createOrder: boolean, key?: string): Promise<FinalizationJobEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    return this.idempotency.prepared({ principal: p, key, operation: 'finalizeCheckoutAsync', input: { id, createOrder } }, jobCodec, async (record) => {
      const cs = await this.finalization.assertReady(p, id);
      const job = await this.dataSource.transaction((manager) =>
        record(manager, async () => {
          const row = await this.insertJob(manager, cs, 'FINALIZE', createOrder);
          await addToOutbox(manager, SCHEMA_NAME, { topic: FINALIZE_REQUESTED_TOPIC, aggregateId: cs.id, payload: { jobId: row.id, checkoutSessionId: cs.id } });
          return row;
        }),
      );
      this.outbox.notify();
      return job;
    });
  }

  /** A job its caller may see: its merchant's, or any for an admin. */
  async job(principal: Principal, jobId: string): Promise<FinalizationJobEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const job = await this.dataSource.manager.findOneBy(FinalizationJobEntity, { id: jobId });
    if (!job || (p.kind === 'MERCHANT' && job.merchantId !== p.merchantId)) throw finalizationNotFound(jobId);
    return job;
  }

  /**
   * Starts undoing the session's finalization: the order ROLLING_BACK and the rollback job queued
   * (its steps are undone by the job, in reverse). A second call answers the rollback already under way.
   */
  async rollback(principal: Principal, id: string, reason: string | null): Promise<{ job: FinalizationJobEntity; order: OrderEntity }> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const out = await this.dataSource.transaction(async (manager) => {
      const cs = await this.finalization.visibleSession(manager, p, id, true);
      const order = await manager.findOneBy(OrderEntity, { checkoutSessionId: cs.id });
      if (!order) throw nothingToRollBack(cs.id);
      if (order.status !== 'COMPLETED') {
        const earlier = await manager.findOne(FinalizationJobEntity, { where: { checkoutSessionId: cs.id, kind: 'ROLLBACK' }, order: { createdAt: 'DESC' } });
        if (earlier) return { job: earlier, order, started: false };
      }
      const entries: TimelineEntryDraft[] = [orderEntry(cs, 'order.rollback_started', `Rollback of order ${order.id} started${reason ? `: ${reason}` : ''}`, { order_id: order.id, reason })];
      await manager.save(OrderEntity, Object.assign(order, { status: 'ROLLING_BACK', rollbackReason: reason, version: order.version + 1 }));
      const job = await this.insertJob(manager, cs, 'ROLLBACK', true, order.id);
      await addToOutbox(manager, SCHEMA_NAME, { topic: ROLLBACK_REQUESTED_TOPIC, aggregateId: cs.id, payload: { jobId: job.id, checkoutSessionId: cs.id } });
      await recordCheckoutChange(manager, [], entries);
      return { job, order: await manager.findOneByOrFail(OrderEntity, { id: order.id }), started: true };
    });
    if (out.started) this.outbox.notify();
    return { job: out.job, order: out.order };
  }

  /** The async finalization's job: a refusal (HandoffError) is final; anything else is retried until the last attempt. */
  async runFinalize(jobId: string, lastAttempt: boolean): Promise<'succeeded' | 'failed' | 'unchanged'> {
    const job = await this.start(jobId);
    if (!job) return 'unchanged';
    try {
      const order = await this.finalization.finalize(AS_CHECKOUT, job.checkoutSessionId, { createOrder: job.createOrder });
      await this.finish(job.id, { status: 'SUCCEEDED', orderId: order.id, errorCode: null, errorMessage: null });
      return 'succeeded';
    } catch (err) {
      if (err instanceof HandoffError || lastAttempt) {
        await this.finish(job.id, failure(err));
        if (err instanceof HandoffError) return 'failed';
      } else await this.note(job.id, err);
      throw err;
    }
  }

  /**
   * The rollback: each local step undone in reverse (once each, whatever retries or concurrent runs
   * meet it), then the payment voided or refunded (once: one refund key per order), then the order
   * ROLLED_BACK. A failure is retried by the queue; the last attempt's is recorded and surfaced.
   */
  async runRollback(jobId: string, lastAttempt: boolean): Promise<'succeeded' | 'unchanged'> {
    const job = await this.start(jobId);
    if (!job || !job.orderId) return 'unchanged';
    const order = await this.dataSource.manager.findOneByOrFail(OrderEntity, { id: job.orderId });
    let failing = 'payment';
    try {
      for (const step of [...this.steps].reverse()) {
        failing = step.name;
        await compensateStep(this.dataSource, order.id, step);
      }
      failing = 'payment';
      const undone = order.paymentIntentId ? await this.undoPayment(order) : null;
      await this.dataSource.transaction(async (manager) => {
        const o = await manager.findOneOrFail(OrderEntity, { where: { id: order.id }, lock: { mode: 'pessimistic_write' } });
        if (o.status === 'ROLLED_BACK') return;
        const session = { id: o.checkoutSessionId, merchantId: o.merchantId };
        const entries: TimelineEntryDraft[] = [];
        const steps = [...o.steps];
        if (undone) {
          steps.push({ step: 'payment', action: 'compensated', at: new Date().toISOString(), detail: { payment_intent_id: o.paymentIntentId, action: undone } });
          entries.push(orderEntry(session, undone === 'voided' ? 'order.payment_voided' : 'order.payment_refunded', `Payment ${o.paymentIntentId} ${undone} for the rollback of order ${o.id}`, { order_id: o.id, payment_intent_id: o.paymentIntentId, action: undone }));
        }
        await manager.save(OrderEntity, Object.assign(o, { status: 'ROLLED_BACK', steps, rolledBackAt: new Date(), version: o.version + 1 }));
        const after = await manager.findOneByOrFail(OrderEntity, { id: o.id });
        entries.push(orderEntry(session, 'order.rolled_back', `Order ${o.id} rolled back`, { order_id: o.id }));
        // A session that came through ACP: its ACP order is canceled (order_update to the agent platform).
        const cs = await manager.findOneByOrFail(CheckoutSessionEntity, { id: o.checkoutSessionId });
        const canceled = await this.acpOrders.event(manager, 'order_update', cs, 'canceled', [
          { id: `adj_${o.id}`, type: 'cancellation', occurred_at: new Date().toISOString(), status: 'completed', amount: o.grandTotalMinor, currency: o.currency.toLowerCase(), description: 'Order rolled back' },
        ]);
        await recordCheckoutChange(manager, [...(after.handedOff ? [orderWebhookEvent('order.rolled_back', after)] : []), ...canceled], entries);
        await manager.update(FinalizationJobEntity, { id: job.id }, { status: 'SUCCEEDED', finishedAt: new Date(), errorCode: null, errorMessage: null });
      });
      this.outbox.notify();
      return 'succeeded';
    } catch (err) {
      if (lastAttempt) {
        const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
        const what = failing === 'payment' ? 'the payment was not undone' : `step ${failing} was not undone`;
        await this.dataSource.transaction(async (manager) => {
          await manager.update(FinalizationJobEntity, { id: job.id }, failure(err));
          const o = await manager.findOneOrFail(OrderEntity, { where: { id: order.id }, lock: { mode: 'pessimistic_write' } });
          const record: OrderStepRecord = { step: failing, action: 'compensation_failed', at: new Date().toISOString(), detail: { job_id: job.id, error: message } };
          await manager.save(OrderEntity, Object.assign(o, { steps: [...o.steps, record], version: o.version + 1 }));
          const session = { id: order.checkoutSessionId, merchantId: order.merchantId };
          await recordCheckoutChange(manager, [], [
            orderEntry(session, 'order.rollback_failed', `Rollback of order ${order.id} failed after its last attempt: ${what} (operators: failed jobs)`, { order_id: order.id, job_id: job.id, step: failing, error: message }),
          ]);
        });
        this.logger.error({ err, jobId: job.id, orderId: order.id, checkoutSessionId: order.checkoutSessionId, step: failing }, `finalization rollback failed after its last attempt: ${what}`);
      } else await this.note(job.id, err);
      throw err;
    }
  }

  private async undoPayment(order: OrderEntity): Promise<'voided' | 'refunded' | null> {
    const state = await this.payments.paymentState(order.paymentIntentId!);
    if (!state || state.status === 'CANCELED') return null;
    if (state.status === 'SUCCEEDED') {
      await this.payments.refundPayment(state.id, `rollback_${order.id}`, `Rollback of order ${order.id}`);
      return 'refunded';
    }
    await this.payments.voidPayment(state.id);
    return 'voided';
  }

  private async insertJob(manager: EntityManager, cs: CheckoutSessionEntity, kind: FinalizationJobKind, createOrder: boolean, orderId: string | null = null): Promise<FinalizationJobEntity> {
    const row = manager.create(FinalizationJobEntity, {
      id: `fin_${ulid()}`,
      checkoutSessionId: cs.id,
      merchantId: cs.merchantId,
      kind,
      status: 'QUEUED',
      createOrder,
      orderId,
      attempts: 0,
      errorCode: null,
      errorMessage: null,
      finishedAt: null,
    });
    await manager.insert(FinalizationJobEntity, row);
    return manager.findOneByOrFail(FinalizationJobEntity, { id: row.id });
  }

  /**
   * The job RUNNING with one more attempt; null when it is already finished (a redelivery). A
   * FAILED rollback runs again: an operator replays it from the failed set, and it resumes.
   */
  private async start(jobId: string): Promise<FinalizationJobEntity | null> {
    const result: unknown = await this.dataSource.query(
      `UPDATE checkout.finalization_jobs SET status = 'RUNNING', attempts = attempts + 1, finished_at = NULL, updated_at = now()
        WHERE id = $1 AND (status IN ('QUEUED', 'RUNNING') OR (kind = 'ROLLBACK' AND status = 'FAILED')) RETURNING id`,
      [jobId],
    );
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, count].
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Array<{ id: string }>;
    return rows[0] ? this.dataSource.manager.findOneBy(FinalizationJobEntity, { id: jobId }) : null;
  }

  private finish(jobId: string, fields: Partial<FinalizationJobEntity>): Promise<unknown> {
    return this.dataSource.manager.update(FinalizationJobEntity, { id: jobId }, { ...fields, finishedAt: new Date() });
  }

  private note(jobId: string, err: unknown): Promise<unknown> {
    return this.dataSource.manager.update(FinalizationJobEntity, { id: jobId }, { errorCode: codeOf(err), errorMessage: messageOf(err) });
  }
}

const codeOf = (err: unknown) => (err instanceof HandoffError ? err.code : 'SERVICE_UNAVAILABLE');
const messageOf = (err: unknown) => (err instanceof HandoffError ? err.message : 'A service finalization needs did not answer; the job retries.').slice(0, 2000);
const failure = (err: unknown) => ({ status: 'FAILED' as const, errorCode: codeOf(err), errorMessage: messageOf(err) });
