// One local step of a finalization rollback, undone by the rollback job (finalization-jobs.service.ts)
// in a transaction of its own: the session's row locked (the lock order every checkout change
// takes: session, then order), then the order's; a step the order already records as compensated
// is skipped, so a retried job resumes at the step that failed and two concurrent runs of one job
// undo each step once. The step's own writes are guarded too (a hold moves from captured to
// restored once, a reservation is restocked once), so even a step run twice changes nothing more.
import type { DataSource } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { OrderEntity, type OrderStepRecord } from './order.entity.js';
import { orderEntry } from './order.events.js';
import type { FinalizationStep } from './finalization.steps.js';

/** Undoes `step` for the order, once; 'compensated', or 'skipped' when it was already undone (or the order rolled back). */
export async function compensateStep(dataSource: DataSource, orderId: string, step: FinalizationStep): Promise<'compensated' | 'skipped'> {
  return dataSource.transaction(async (manager) => {
    const { checkoutSessionId } = await manager.findOneByOrFail(OrderEntity, { id: orderId });
    const cs = await manager.findOneOrFail(CheckoutSessionEntity, { where: { id: checkoutSessionId }, lock: { mode: 'pessimistic_write' } });
    const order = await manager.findOneOrFail(OrderEntity, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    if (order.status === 'ROLLED_BACK' || order.steps.some((r) => r.step === step.name && r.action === 'compensated')) return 'skipped';
    const outcome = await step.compensate(manager, cs, order.id);
    const record: OrderStepRecord = { step: step.name, action: 'compensated', at: new Date().toISOString(), detail: outcome?.detail ?? { nothing_to_undo: true } };
    await manager.save(OrderEntity, Object.assign(order, { steps: [...order.steps, record], version: order.version + 1 }));
    if (outcome) await recordCheckoutChange(manager, [], [orderEntry(cs, 'order.step_compensated', outcome.summary, { order_id: order.id, step: step.name, ...outcome.detail })]);
    return 'compensated';
  });
}
