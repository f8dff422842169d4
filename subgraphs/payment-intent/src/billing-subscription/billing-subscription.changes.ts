// The one way a billing subscription or an invoice changes after it is created (issue 22;
// docs/recurring.md): the functions the renewal scheduler, dunning and the lifecycle commands
// (cancel, pause, resume, price changes) call, each in the caller's transaction. Every status move
// is checked against its state table (INVALID_STATE_TRANSITION otherwise: canceling a canceled
// subscription, paying a void invoice), every save is versioned (VERSION_CONFLICT when another
// change got there first), and every change writes its events (subscription.updated, invoice.*)
// in the same transaction.
//   lockSubscription(manager, id)                       the row, FOR UPDATE (null when unknown)
//   changeSubscription(manager, sub, changes, to?)      status move (table-checked) and/or fields, + subscription.updated
//   createInvoiceForPeriod(manager, sub, period, amount) the period's invoice (OPEN), or the one already there: one per period
//   changeInvoice(manager, sub, invoice, changes, to?)   status move (table-checked) and/or fields, + invoice.paid / invoice.payment_failed
import { assertTransition, periodBounds, versionConflict, type OutboxEvent } from '@handoff/shared';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { announceBilling, billingSubscriptionObject, invoiceEvent, subscriptionEvents } from './billing-subscription.events.js';
import { billingInvoiceStates, BillingInvoiceStatus, billingSubscriptionStates, type BillingSubscriptionStatus } from './billing-subscription.states.js';

/** What a subscription change may set (never its id, merchant, session or currency). */
export type SubscriptionChanges = Partial<
  Pick<
    BillingSubscriptionEntity,
    | 'currentPeriod' | 'currentPeriodStart' | 'currentPeriodEnd' | 'nextRenewalAt' | 'cancelAtPeriodEnd' | 'canceledAt'
    | 'paymentMethodId' | 'paymentMethodBrand' | 'paymentMethodLast4' | 'billingCycleAnchor' | 'interval' | 'intervalCount'
  >
>;

export type InvoiceChanges = Partial<Pick<BillingInvoiceEntity, 'paymentIntentId' | 'attempts' | 'nextAttemptAt' | 'paidAt' | 'amountMinor' | 'providerInvoiceId'>>;

/** The subscription, its row locked for the rest of the caller's transaction; null when there is none. */
export function lockSubscription(manager: EntityManager, id: string): Promise<BillingSubscriptionEntity | null> {
  return manager.findOne(BillingSubscriptionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
}

/**
 * Applies `changes` (and the move to `to`, when given: checked against the table) to the
 * subscription as loaded, if its version is still the one loaded; writes subscription.updated
 * with the fields that moved (previous_attributes). Returns the subscription as saved.
 */
export async function changeSubscription(
  manager: EntityManager,
  sub: BillingSubscriptionEntity,
  changes: SubscriptionChanges,
  to?: BillingSubscriptionStatus,
  /** The items as they were before the caller changed them in this transaction (a price or quantity change): previous_attributes shows them. */
  opts: { itemsBefore?: readonly BillingSubscriptionItemEntity[]; items?: readonly BillingSubscriptionItemEntity[] } = {},
): Promise<BillingSubscriptionEntity> {
  // `opts.items`: the items as the caller read them in this transaction, under the row lock (a renewal): not read again.
  const items = opts.items ?? (await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: sub.id }, order: { position: 'ASC' } }));
  const { next, events } = planSubscriptionChange(sub, changes, to, items, opts.itemsBefore);
  const { id: _id, merchantId: _m, checkoutSessionId: _c, createdAt: _at, ...fields } = next;
  const result = await manager.update(BillingSubscriptionEntity, { id: sub.id, version: sub.version }, fields);
  if (result.affected !== 1) {
    const current = await manager.findOneBy(BillingSubscriptionEntity, { id: sub.id });
    throw versionConflict(sub.version, current?.version ?? -1);
  }
  await announceBilling(manager, events);
  return next;
}

/**
 * changeSubscription's change, not written: the subscription as it will be saved (checked against the
 * state table, its version moved on) and its subscription.updated events. For a caller that writes many
 * subscriptions' changes in one statement (renewal-batch.ts) under their row locks, and checks the versions.
 */
export function planSubscriptionChange(
  sub: BillingSubscriptionEntity,
  changes: SubscriptionChanges,
  to: BillingSubscriptionStatus | undefined,
  items: readonly BillingSubscriptionItemEntity[],
  itemsBefore?: readonly BillingSubscriptionItemEntity[],
): { next: BillingSubscriptionEntity; events: OutboxEvent[] } {
  if (to !== undefined) assertTransition(billingSubscriptionStates, sub.status, to);
  const before = billingSubscriptionObject(sub, itemsBefore ?? items);
  const next = Object.assign(Object.create(Object.getPrototypeOf(sub)) as BillingSubscriptionEntity, sub, changes, {
    ...(to !== undefined ? { status: to } : {}),
    version: sub.version + 1,
    updatedAt: new Date(),
  });
  return { next, events: subscriptionEvents('subscription.updated', next, items, before) };
}

/**
 * The invoice of `period` (1 = the first paid period), OPEN for `amountMinor` in the subscription's
 * currency, its bounds from the cycle's anchor; or the invoice already there for that period
 * (`created` false): the unique (subscription, period) makes a replayed or racing renewal find
 * the same one, so a period is never invoiced, or charged, twice.
 */
export async function createInvoiceForPeriod(
  manager: EntityManager,
  sub: BillingSubscriptionEntity,
  period: number,
  amountMinor: number,
): Promise<{ invoice: BillingInvoiceEntity; created: boolean }> {
  if (!Number.isInteger(period) || period < 1) throw new Error(`createInvoiceForPeriod: period ${period} is not 1 or more.`);
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new Error(`createInvoiceForPeriod: ${amountMinor} is not an amount in minor units.`);
  if (!sub.billingCycleAnchor) throw new Error(`createInvoiceForPeriod: subscription ${sub.id} has no billing cycle anchor.`);
  const bounds = periodBounds(sub.billingCycleAnchor, sub, period);
  const now = new Date();
  const invoice = manager.create(BillingInvoiceEntity, {
    id: `binv_${ulid()}`,
    subscriptionId: sub.id,
    merchantId: sub.merchantId,
    period,
    status: BillingInvoiceStatus.OPEN,
    amountMinor,
    currency: sub.currency,
    periodStart: bounds.start,
    periodEnd: bounds.end,
    paymentIntentId: null,
    attempts: 0,
    nextAttemptAt: null,
    paidAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  const inserted = await manager.createQueryBuilder().insert().into(BillingInvoiceEntity).values(invoice).orIgnore().returning('id').execute();
  if ((inserted.raw as unknown[]).length === 1) return { invoice, created: true };
  return { invoice: await manager.findOneByOrFail(BillingInvoiceEntity, { subscriptionId: sub.id, period }), created: false };
}

/**
 * Applies `changes` (and the move to `to`, checked against the invoice table) to the invoice as
 * loaded, versioned; a move to PAID writes invoice.paid, a failed attempt the caller marks with
 * `failed` writes invoice.payment_failed.
 */
export async function changeInvoice(
  manager: EntityManager,
  sub: BillingSubscriptionEntity,
  invoice: BillingInvoiceEntity,
  changes: InvoiceChanges,
  opts: { to?: BillingInvoiceStatus; failed?: boolean } = {},
): Promise<BillingInvoiceEntity> {
  const { next, events } = planInvoiceChange(sub, invoice, changes, opts);
  const { id: _id, subscriptionId: _s, merchantId: _m, period: _p, createdAt: _at, ...fields } = next;
  const result = await manager.update(BillingInvoiceEntity, { id: invoice.id, version: invoice.version }, fields);
  if (result.affected !== 1) {
    const current = await manager.findOneBy(BillingInvoiceEntity, { id: invoice.id });
    throw versionConflict(invoice.version, current?.version ?? -1);
  }
  await announceBilling(manager, events);
  return next;
}

/** changeInvoice's change, not written: the invoice as it will be saved and its event (planSubscriptionChange's counterpart). */
export function planInvoiceChange(
  sub: BillingSubscriptionEntity,
  invoice: BillingInvoiceEntity,
  changes: InvoiceChanges,
  opts: { to?: BillingInvoiceStatus; failed?: boolean } = {},
): { next: BillingInvoiceEntity; events: OutboxEvent[] } {
  if (opts.to !== undefined) assertTransition(billingInvoiceStates, invoice.status, opts.to);
  const next = Object.assign(Object.create(Object.getPrototypeOf(invoice)) as BillingInvoiceEntity, invoice, changes, {
    ...(opts.to !== undefined ? { status: opts.to } : {}),
    ...(opts.to === BillingInvoiceStatus.PAID && !changes.paidAt ? { paidAt: new Date() } : {}),
    version: invoice.version + 1,
    updatedAt: new Date(),
  });
  const events =
    opts.to === BillingInvoiceStatus.PAID ? [invoiceEvent('invoice.paid', sub, next)] : opts.failed ? [invoiceEvent('invoice.payment_failed', sub, next)] : [];
  return { next, events };
}
