// A batch of renewals in set-based statements (issue 22; docs/recurring.md "Renewals in batches"):
// what chargeOffSession does for one renewal, done for a `renew` job's renewals in one transaction
// with a handful of statements whatever the batch's size.
//   1. The batch's subscriptions row-locked in one SELECT (ordered by id: two batches meeting lock
//      in the same order), their items and any pending lines read in one statement each.
//   2. The plain renewals (the next period of a chargeable subscription with a saved card, not
//      canceling at period end, no pending proration lines, an amount above 0, a PSP that creates
//      and confirms in one call) get their invoices (and SUBSCRIPTION lines) in one INSERT each,
//      ON CONFLICT DO NOTHING: an invoice already there (an earlier attempt, a run that got there
//      first) leaves that renewal to chargeOffSession, as does anything not plain.
//   3. Each is charged at the PSP with the same key as chargeOffSession's first charge
//      (`renewal:<sub>:<period>:create-confirm:1`), a few at once over the client's keep-alive
//      connections, while the transaction holds the row locks (a second run of a renewal waits,
//      then finds the period paid; a retry after a rollback sends the same keys and the PSP
//      answers what it did, never charging twice).
//   4. The succeeded ones are applied in set-based statements: the intents inserted SUCCEEDED (their
//      created and succeeded changes' timeline rows in one INSERT), the invoices PAID and the
//      subscriptions moved to the period in one UPDATE each (versions checked), and every event of
//      the batch (the intents' payment_intent.created/succeeded with their webhook events and audit
//      rows, invoice.paid, subscription.updated with its webhook event, audit row and pub/sub row)
//      in one outbox INSERT: the same rows, with the same payloads, as chargeOffSession writes.
//      A decline, an authentication or a processing answer goes through chargeOffSession's own
//      code (applyRenewalAnswer: PAST_DUE, dunning) in the same transaction, one by one.
// A renewal whose PSP call failed (no answer) keeps its OPEN invoice and goes back to the caller,
// which retries it through chargeOffSession (same key: the PSP's answer, if it charged).
import { addAllToOutbox, assertTransition, money, periodBounds, qualifiedTable, sum, versionConflict, type OutboxEvent } from '@handoff/shared';
import { ulid } from 'ulid';
import { In, IsNull, type EntityManager } from 'typeorm';
import { changeRecords, insertAnnounced, PAYMENT_SCHEMA } from '../payment-intent/payment-intent.changes.js';
import { pspCall } from '../payment-intent/payment-intent.command-run.js';
import { PaymentIntentStatus as S } from '../payment-intent/payment-intent.enums.js';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { paymentIntentStates, statusTopic } from '../payment-intent/payment-intent.states.js';
import type { PspConnector, PspPayment } from '../psp/connector.js';
import {
  applyRenewalAnswer,
  CHARGEABLE,
  DEFAULT_DUNNING,
  renewalIntentEntity,
  renewalKey,
  renewalPaymentRequest,
  type DunningPolicy,
  type RenewalDeps,
  type RenewalResult,
} from './billing-renewal.js';
import { planInvoiceChange, planSubscriptionChange } from './billing-subscription.changes.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from './billing-subscription.states.js';
import { BillingInvoiceLineEntity, InvoiceLineKind } from './lifecycle/invoice-line.entity.js';

export interface RenewalRef {
  subscriptionId: string;
  period: number;
}

/** PSP calls of one batch in flight at once (the sandbox's pool and keep-alive sockets; the PSP's latency overlapped). */
export const BATCH_PSP_CONCURRENCY = 8;

export interface BatchOutcome {
  /** What each renewal the batch did came to, by `subscriptionId:period`. */
  done: Map<string, RenewalResult>;
  /** The renewals left to chargeOffSession (not plain, an invoice already there, no PSP answer), in the batch's order. */
  rest: RenewalRef[];
}

export const refKey = (r: RenewalRef) => `${r.subscriptionId}:${r.period}`;

interface Plain {
  ref: RenewalRef;
  sub: BillingSubscriptionEntity;
  items: BillingSubscriptionItemEntity[];
  connector: PspConnector;
  dunning: DunningPolicy;
  invoice: BillingInvoiceEntity;
  lines: BillingInvoiceLineEntity[];
}

export async function chargeBatch(deps: RenewalDeps, refs: readonly RenewalRef[]): Promise<BatchOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const done = new Map<string, RenewalResult>();
  const restKeys = new Set<string>();
  const ids = [...new Set(refs.map((r) => r.subscriptionId))];
  // A subscription twice in one batch (two periods): only its first ref is taken here, the others go to chargeOffSession.
  const taken = new Set<string>();
  const createdIntents: { provider: string; providerPaymentId: string }[] = [];
  await deps.dataSource.transaction(async (m) => {
    const subs = await m.find(BillingSubscriptionEntity, { where: { id: In(ids) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    const byId = new Map(subs.map((s) => [s.id, s]));
    const candidates = refs.filter((r) => {
      const sub = byId.get(r.subscriptionId);
      const plain =
        sub && !taken.has(sub.id) && r.period === sub.currentPeriod + 1 && CHARGEABLE.has(sub.status) && sub.paymentMethodId && !sub.cancelAtPeriodEnd && sub.billingCycleAnchor && !sub.providerSubscriptionId;
      if (plain) taken.add(sub.id);
      else restKeys.add(refKey(r));
      return plain;
    });
    if (candidates.length === 0) return;
    const candidateIds = candidates.map((r) => r.subscriptionId);
    const [items, pending] = await Promise.all([
      m.find(BillingSubscriptionItemEntity, { where: { subscriptionId: In(candidateIds) }, order: { subscriptionId: 'ASC', position: 'ASC' } }),
      m.find(BillingInvoiceLineEntity, { where: { subscriptionId: In(candidateIds), invoiceId: IsNull() }, select: { id: true, subscriptionId: true } }),
    ]);
    const withPending = new Set(pending.map((l) => l.subscriptionId));
    const itemsOf = new Map<string, BillingSubscriptionItemEntity[]>();
    for (const i of items) itemsOf.set(i.subscriptionId, [...(itemsOf.get(i.subscriptionId) ?? []), i]);

    // Per merchant, before anything is charged: its PSP and its dunning schedule (the merchant subgraph down: nothing charged, the job retries).
    const merchants = new Map<string, { connector: PspConnector; dunning: DunningPolicy } | null>();
    for (const merchantId of new Set(candidates.map((r) => byId.get(r.subscriptionId)!.merchantId))) {
      const credentials = await deps.credentials.get(merchantId);
      const connector = credentials ? deps.connectors.for(credentials) : null;
      // No connector (chargeOffSession says why) or one without a one-call charge: chargeOffSession's path.
      if (!connector?.createAndConfirm) merchants.set(merchantId, null);
      else merchants.set(merchantId, { connector, dunning: deps.dunningFor ? await deps.dunningFor(merchantId) : (deps.dunning ?? DEFAULT_DUNNING) });
    }

    const plain: Plain[] = [];
    const at = new Date();
    for (const ref of candidates) {
      const sub = byId.get(ref.subscriptionId)!;
      const subItems = itemsOf.get(sub.id) ?? [];
      const merchant = merchants.get(sub.merchantId);
      const amounts = subItems.map((i) => money(i.unitAmountMinor * i.quantity, sub.currency));
      const total = sum(amounts, sub.currency).amountMinor;
      if (!merchant || withPending.has(sub.id) || total <= 0) {
        restKeys.add(refKey(ref));
        continue;
      }
      const bounds = periodBounds(sub.billingCycleAnchor!, sub, ref.period);
      const invoice = m.create(BillingInvoiceEntity, {
        id: `binv_${ulid()}`, subscriptionId: sub.id, merchantId: sub.merchantId, period: ref.period, status: BillingInvoiceStatus.OPEN, amountMinor: total,
        currency: sub.currency, periodStart: bounds.start, periodEnd: bounds.end, paymentIntentId: null, attempts: 0, nextAttemptAt: null, paidAt: null,
        providerInvoiceId: null, version: 1, createdAt: at, updatedAt: at,
      });
      const lines = subItems.map((i, n) =>
        m.create(BillingInvoiceLineEntity, {
          id: `bil_${ulid()}`, subscriptionId: sub.id, merchantId: sub.merchantId, invoiceId: invoice.id, kind: InvoiceLineKind.SUBSCRIPTION,
          description: `${i.quantity} × ${i.name}`, itemPosition: i.position, quantity: i.quantity, unitAmountMinor: i.unitAmountMinor,
          amountMinor: amounts[n]!.amountMinor, currency: sub.currency, periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, createdAt: at,
        } as Partial<BillingInvoiceLineEntity>),
      );
      plain.push({ ref, sub, items: subItems, ...merchant, invoice, lines });
    }
    if (plain.length === 0) return;

    // One invoice per period (the unique (subscription, period)): one already there leaves its renewal to chargeOffSession.
    const inserted = await m.createQueryBuilder().insert().into(BillingInvoiceEntity).values(plain.map((p) => p.invoice)).orIgnore().returning('subscription_id').execute();
    const fresh = new Set((inserted.raw as { subscription_id: string }[]).map((r) => r.subscription_id));
    const charging = plain.filter((p) => {
      if (!fresh.has(p.sub.id)) restKeys.add(refKey(p.ref));
      return fresh.has(p.sub.id);
    });
    const lines = charging.flatMap((p) => p.lines);
    if (lines.length > 0) await m.insert(BillingInvoiceLineEntity, lines);

    // The charges, a few at once; the transaction keeps the row locks meanwhile.
    const answers = await mapLimit(charging, BATCH_PSP_CONCURRENCY, async (p) => {
      const request = renewalPaymentRequest(p.sub, p.ref.period, p.invoice.amountMinor, renewalKey(p.sub.id, p.ref.period, 'create-confirm:1'));
      const offSession = { offSession: true, ...(p.sub.providerCustomerId ? { customer: p.sub.providerCustomerId } : {}) };
      try {
        return { request, psp: await pspCall(() => p.connector.createAndConfirm!({ manager: m }, request, p.sub.paymentMethodId!, offSession)) };
      } catch (err) {
        return { request, error: err };
      }
    });

    const paid: { p: Plain; intent: PaymentIntentEntity }[] = [];
    for (const [n, p] of charging.entries()) {
      const answer = answers[n]!;
      if (!('psp' in answer) || !answer.psp) {
        // No answer (the PSP unreachable, a refusal): the invoice stays OPEN with no attempt; chargeOffSession retries with the same key.
        restKeys.add(refKey(p.ref));
        continue;
      }
      const intent = renewalIntentEntity(m, p.sub, p.ref.period, answer.request, answer.psp.providerPaymentId);
      createdIntents.push({ provider: intent.provider, providerPaymentId: answer.psp.providerPaymentId });
      if (answer.psp.status === 'succeeded') paid.push({ p, intent });
      else {
        // Declined, an authentication, processing: chargeOffSession's own code, one by one, in this transaction.
        await insertAnnounced(m, intent, 'payment_intent.created', { billingColumns: true });
        done.set(refKey(p.ref), await applyRenewalAnswer(m, { sub: p.sub, invoice: p.invoice, items: p.items, intent, psp: answer.psp, attempt: 1, dunning: p.dunning }));
      }
    }
    if (paid.length > 0) await writePaid(m, paid.map(({ p, intent }) => ({ p, intent, psp: answers[charging.indexOf(p)]!.psp! })));
    for (const { p, intent } of paid) done.set(refKey(p.ref), { outcome: 'paid', invoiceId: p.invoice.id, paymentIntentId: intent.id });
  });
  if (done.size > 0) deps.committed?.();
  // The PSP's webhooks for these charges may have come while the batch held its transaction (PaymentNotKnownYet): run them now.
  if (createdIntents.length > 0) deps.intentsCreated?.(createdIntents);
  return { done, rest: refs.filter((r) => restKeys.has(refKey(r))) };
}

/** The succeeded charges: intents, timeline, invoices PAID, subscriptions on to the period, and every event: a statement each. */
async function writePaid(m: EntityManager, paid: { p: Plain; intent: PaymentIntentEntity; psp: PspPayment }[]): Promise<void> {
  const timeline: { paymentIntentId: string; type: string; data: Record<string, unknown> }[] = [];
  const events: OutboxEvent[] = [];
  const invoices: BillingInvoiceEntity[] = [];
  const subs: { before: BillingSubscriptionEntity; next: BillingSubscriptionEntity }[] = [];
  for (const { p, intent, psp } of paid) {
    // insertAnnounced(payment_intent.created), then applyPspPayment → transition(SUCCEEDED) → saveChange, as chargeOffSession runs them.
    const created = changeRecords(intent, 'payment_intent.created');
    if (psp.paymentMethodId) intent.paymentMethodId = psp.paymentMethodId;
    intent.nextAction = null;
    intent.amountCapturedMinor = psp.amountReceivedMinor > 0 ? psp.amountReceivedMinor : intent.amountMinor;
    intent.lastPaymentError = null;
    assertTransition(paymentIntentStates, intent.status, S.SUCCEEDED);
    const from = intent.status;
    intent.status = S.SUCCEEDED;
    intent.version += 1;
    intent.updatedAt = new Date();
    const succeeded = changeRecords(intent, statusTopic(S.SUCCEEDED), { from });
    timeline.push(created.timeline, succeeded.timeline);
    // renewalPaid: the invoice PAID with the attempt (invoice.paid), the subscription on to the period (subscription.updated).
    const invoice = planInvoiceChange(p.sub, p.invoice, { attempts: 1, paymentIntentId: intent.id, nextAttemptAt: null }, { to: BillingInvoiceStatus.PAID });
    const bounds = periodBounds(p.sub.billingCycleAnchor!, p.sub, p.ref.period);
    const sub = planSubscriptionChange(
      p.sub,
      { currentPeriod: p.ref.period, currentPeriodStart: bounds.start, currentPeriodEnd: bounds.end, nextRenewalAt: bounds.end },
      p.sub.status === B.ACTIVE ? undefined : B.ACTIVE,
      p.items,
    );
    events.push(...created.events, ...succeeded.events, ...invoice.events, ...sub.events);
    invoices.push(invoice.next);
    subs.push({ before: p.sub, next: sub.next });
  }
  const intents = paid.map(({ intent: i }) => ({
    id: i.id, merchant_id: i.merchantId, status: i.status, currency: i.currency, amount_minor: i.amountMinor, amount_captured_minor: i.amountCapturedMinor,
    amount_refunded_minor: i.amountRefundedMinor, capture_mode: i.captureMode, provider: i.provider, provider_payment_id: i.providerPaymentId,
    metadata: i.metadata ?? {}, description: i.description, payment_method_id: i.paymentMethodId, version: i.version, created_at: i.createdAt,
    updated_at: i.updatedAt, billing_subscription_id: i.billingSubscriptionId, billing_period: i.billingPeriod,
  }));
  const P = (t: string) => qualifiedTable(PAYMENT_SCHEMA, t);
  // The unique live index on (billing_subscription_id, billing_period) checks every row, as insertAnnounced's insert does.
  await m.query(
    `INSERT INTO ${P('payment_intents')} (id, merchant_id, checkout_session_id, status, currency, amount_minor, amount_captured_minor, amount_refunded_minor,
        capture_mode, provider, provider_payment_id, metadata, description, next_action, last_payment_error, payment_method_id, version, created_at, updated_at,
        checkout_binding, billing_subscription_id, billing_period)
     SELECT x.id, x.merchant_id, NULL, x.status, x.currency, x.amount_minor, x.amount_captured_minor, x.amount_refunded_minor, x.capture_mode, x.provider,
        x.provider_payment_id, x.metadata, x.description, NULL, NULL, x.payment_method_id, x.version, x.created_at, x.updated_at, false,
        x.billing_subscription_id, x.billing_period
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, merchant_id text, status text, currency text, amount_minor bigint, amount_captured_minor bigint,
        amount_refunded_minor bigint, capture_mode text, provider text, provider_payment_id text, metadata jsonb, description text, payment_method_id text,
        version int, created_at timestamptz, updated_at timestamptz, billing_subscription_id text, billing_period int)`,
    [JSON.stringify(intents)],
  );
  await m.query(
    `INSERT INTO ${P('payment_events')} (payment_intent_id, type, data)
     SELECT x.payment_intent_id, x.type, x.data
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (payment_intent_id text, type text, data jsonb)) WITH ORDINALITY AS x(payment_intent_id, type, data, n)
      ORDER BY x.n`,
    [JSON.stringify(timeline.map((t) => ({ payment_intent_id: t.paymentIntentId, type: t.type, data: t.data })))],
  );
  const invoiced = updatedRows(await m.query(
    `UPDATE ${P('billing_invoices')} i SET status = x.status, attempts = x.attempts, payment_intent_id = x.payment_intent_id, next_attempt_at = NULL,
        paid_at = x.paid_at, version = x.version, updated_at = x.updated_at
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, status text, attempts int, payment_intent_id text, paid_at timestamptz, version int, updated_at timestamptz)
      WHERE i.id = x.id AND i.version = x.version - 1 RETURNING i.id`,
    [JSON.stringify(invoices.map((i) => ({ id: i.id, status: i.status, attempts: i.attempts, payment_intent_id: i.paymentIntentId, paid_at: i.paidAt, version: i.version, updated_at: i.updatedAt })))],
  ));
  if (invoiced.length !== invoices.length) throw versionConflict(1, -1);
  const moved = updatedRows(await m.query(
    `UPDATE ${P('billing_subscriptions')} s SET status = x.status, current_period = x.current_period, current_period_start = x.current_period_start,
        current_period_end = x.current_period_end, next_renewal_at = x.next_renewal_at, version = x.version, updated_at = x.updated_at
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, status text, current_period int, current_period_start timestamptz, current_period_end timestamptz,
        next_renewal_at timestamptz, version int, updated_at timestamptz)
      WHERE s.id = x.id AND s.version = x.version - 1 RETURNING s.id`,
    [
      JSON.stringify(
        subs.map(({ next: s }) => ({
          id: s.id, status: s.status, current_period: s.currentPeriod, current_period_start: s.currentPeriodStart, current_period_end: s.currentPeriodEnd,
          next_renewal_at: s.nextRenewalAt, version: s.version, updated_at: s.updatedAt,
        })),
      ),
    ],
  ));
  if (moved.length !== subs.length) throw versionConflict(subs[0]!.before.version, -1);
  await addAllToOutbox(m, PAYMENT_SCHEMA, events);
}

/** The rows an UPDATE … RETURNING answered (TypeORM's query() answers [rows, count] for an UPDATE). */
const updatedRows = (result: unknown): unknown[] => (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? (result[0] as unknown[]) : (result as unknown[]));

/** `fn` over `items`, at most `limit` at once; the results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const n = next++;
      out[n] = await fn(items[n]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
