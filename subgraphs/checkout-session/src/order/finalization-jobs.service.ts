// Finalization jobs (seed 003 §8): `finalize/async` answers a job id at once and a BullMQ job
// finalizes (the same exactly-once finalize as the sync route); `finalize/rollback` undoes a
// finalization: its local steps at once (in reverse, in one transaction with the order moving to
// ROLLING_BACK and the job row), then a job voids or refunds the payment through payment-intent.
// Both jobs leave through the outbox (checkout_finalization.* → their queues), so a job is never
// lost: the relay adds it until Redis has it, and BullMQ retries it with backoff (10 attempts).
// A rollback whose payment could not be undone after its last attempt is FAILED, recorded in the
// timeline (order.rollback_failed), logged as an error, and stays in the queue's failed set that
// operators list and replay (/v1/checkout/queues/…/failed); the order stays ROLLING_BACK.
import { addToOutbox, HandoffError, IdempotencyStore, requireKind, type Logger, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { SCHEMA_NAME, type OutboxNotifier } from '../events.js';
import type { PaymentCompensations } from '../ports/payment-intent.port.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { FinalizationJobEntity, OrderEntity, type FinalizationJobKind, type OrderStepRecord } from './order.entity.js';
import { orderEntry, orderWebhookEvent } from './order.events.js';
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
   * Starts undoing the session's finalization: the order ROLLING_BACK, its steps compensated in
   * reverse, the payment's undo queued. A second call answers the rollback already under way.
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
      const records: OrderStepRecord[] = [...order.steps];
      for (const step of [...this.steps].reverse()) {
        const outcome = await step.compensate(manager, cs, order.id);
        if (!outcome) continue;
        records.push({ step: step.name, action: 'compensated', at: new Date().toISOString(), detail: outcome.detail });
        entries.push(orderEntry(cs, 'order.step_compensated', outcome.summary, { order_id: order.id, step: step.name, ...outcome.detail }));
      }
      await manager.save(OrderEntity, Object.assign(order, { status: 'ROLLING_BACK', steps: records, rollbackReason: reason, version: order.version + 1 }));
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

  /** The rollback's payment undo: void an authorised payment, refund a captured one (once: one refund key per order). */
  async runRollback(jobId: string, lastAttempt: boolean): Promise<'succeeded' | 'unchanged'> {
    const job = await this.start(jobId);
    if (!job || !job.orderId) return 'unchanged';
    const order = await this.dataSource.manager.findOneByOrFail(OrderEntity, { id: job.orderId });
    try {
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
        await recordCheckoutChange(manager, after.handedOff ? [orderWebhookEvent('order.rolled_back', after)] : [], entries);
        await manager.update(FinalizationJobEntity, { id: job.id }, { status: 'SUCCEEDED', finishedAt: new Date(), errorCode: null, errorMessage: null });
      });
      this.outbox.notify();
      return 'succeeded';
    } catch (err) {
      if (lastAttempt) {
        await this.dataSource.transaction(async (manager) => {
          await manager.update(FinalizationJobEntity, { id: job.id }, failure(err));
          const session = { id: order.checkoutSessionId, merchantId: order.merchantId };
          const message = err instanceof Error ? err.message : String(err);
          await recordCheckoutChange(manager, [], [orderEntry(session, 'order.rollback_failed', `Rollback of order ${order.id} failed after its last attempt: the payment was not undone (operators: failed jobs)`, { order_id: order.id, job_id: job.id, error: message.slice(0, 500) })]);
        });
        this.logger.error({ err, jobId: job.id, orderId: order.id, checkoutSessionId: order.checkoutSessionId }, 'finalization rollback failed after its last attempt: payment not undone');
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

  /** The job RUNNING with one more attempt; null when it is already finished (a redelivery). */
  private async start(jobId: string): Promise<FinalizationJobEntity | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `UPDATE checkout.finalization_jobs SET status = 'RUNNING', attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
      [jobId],
    );
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
