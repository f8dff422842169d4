// Renewals and dunning (issue 22 items 3-4; docs/recurring.md "Charge off-session"): a period of a
// subscription charged with its saved card, the buyer not there.
//   chargeOffSession(subscriptionId, period): one transaction holding the subscription's row lock
//     for its whole length (a second run for the same subscription waits, then finds the invoice
//     PAID and charges nothing): the period's invoice (createInvoiceForPeriod: one per period),
//     the period's intent (one live intent per (subscription, period): the unique index), created
//     at the PSP with a key derived from (subscription, period) and confirmed with the saved card,
//     `off_session: true`, under a key derived from (subscription, period, attempt): a retried
//     run sends the same keys and the PSP answers what it did, never charging twice. A PSP that
//     creates and confirms in one call (the sandbox: Stripe's `confirm: true`) gets one call for the
//     period's first charge, keyed by (subscription, period, attempt), before the intent row is written.
//     The intent carries `billing_subscription_id` + `billing_period` (its events carry
//     `recurring`) and the subscription's metadata (aap_* attribution unchanged), no checkout session.
//   Success: the intent's SUCCEEDED runs renewalPaid (billing-renewal-paid.ts) in the same transaction.
//   Decline: invoice.payment_failed, the subscription PAST_DUE, the next attempt per the dunning
//     schedule (days after the period's start; default 1, 3, 5, 7) on the invoice and as the
//     subscription's next_renewal_at (so the scheduler's scan finds it); after the last attempt the
//     invoice is UNCOLLECTIBLE and the subscription UNPAID or CANCELED (`dunning.finalStatus`).
//   SCA required (the PSP asks the buyer to authenticate): PAST_DUE, the intent REQUIRES_ACTION with
//     its next action (the buyer's link), the invoice naming the intent; no retry charges it again.
// The clock (`now`) is injectable: dunning tests drive time without sleeping.
import { ErrorCode, HandoffError } from '@handoff/shared';
import { ulid } from 'ulid';
import { Not, type DataSource, type EntityManager } from 'typeorm';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { insertAnnounced } from '../payment-intent/payment-intent.changes.js';
import { pspCall } from '../payment-intent/payment-intent.command-run.js';
import { CaptureMode, PaymentIntentStatus as S } from '../payment-intent/payment-intent.enums.js';
import { noPaymentConnector } from '../payment-intent/payment-intent.errors.js';
import { applyPspPayment } from '../payment-intent/payment-intent.psp-result.js';
import type { ConfirmOptions, CreatePaymentRequest, PspPayment } from '../psp/connector.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { changeInvoice, changeSubscription, lockSubscription } from './billing-subscription.changes.js';
import { BillingSubscriptionEntity, type BillingInvoiceEntity, type BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus as B } from './billing-subscription.states.js';
import { cancelNow } from './lifecycle/cancel.js';
import { invoicePeriod, settleWithoutCharge } from './lifecycle/invoice-lines.js';
import { holdRenewal, releaseRenewal } from './billing-renewal-paid.js';

const DAY_MS = 86_400_000;

/** The retry schedule: days after the period's start for attempts 2, 3, …; then the subscription's final status. */
export interface DunningPolicy {
  retryDays: readonly number[];
  finalStatus: typeof B.UNPAID | typeof B.CANCELED;
}

/** Stripe's smart-retries-like default: 1, 3, 5 and 7 days, then UNPAID (a merchant that never set its own: dunning-settings.ts). */
export const DEFAULT_DUNNING: DunningPolicy = { retryDays: [1, 3, 5, 7], finalStatus: B.UNPAID };

export interface RenewalDeps {
  dataSource: DataSource;
  credentials: CredentialsSource;
  connectors: Connectors;
  /** Where a PSP sends the buyer back after an authentication (Stripe's return_url). */
  returnUrl: string;
  /** A fixed schedule (tests); `dunningFor` wins when given. */
  dunning?: DunningPolicy;
  /** The merchant's own schedule (merchant subgraph's billingSettings through the merchant port, cached: dunning-settings.ts). */
  dunningFor?: (merchantId: string) => Promise<DunningPolicy>;
  now?: () => Date;
  /** After the transaction commits (the outbox relay's nudge). */
  committed?: () => void;
  /** After a commit that created renewal intents (`provider`: the intent's, e.g. TEST): the PSP webhooks that came before them run now. */
  intentsCreated?: (intents: readonly { provider: string; providerPaymentId: string }[]) => void;
}

export type RenewalOutcome = 'paid' | 'already_paid' | 'declined' | 'requires_action' | 'pending' | 'not_due' | 'gave_up' | 'canceled';

export interface RenewalResult {
  outcome: RenewalOutcome;
  invoiceId: string | null;
  paymentIntentId: string | null;
}

/** The PSP idempotency key of a renewal's call: the same for a retried run of the same attempt. */
export const renewalKey = (subscriptionId: string, period: number, call: string) => `renewal:${subscriptionId}:${period}:${call}`;

export const CHARGEABLE: ReadonlySet<string> = new Set([B.ACTIVE, B.TRIALING, B.PAST_DUE]);

export async function chargeOffSession(deps: RenewalDeps, subscriptionId: string, period: number): Promise<RenewalResult> {
  const now = (deps.now ?? (() => new Date()))();
  let newIntent: PaymentIntentEntity | null = null;
  const result = await deps.dataSource.transaction(async (manager): Promise<RenewalResult> => {
    const sub = await lockSubscription(manager, subscriptionId);
    if (!sub) throw new HandoffError(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND, `Billing subscription ${subscriptionId} was not found.`);
    const none = { invoiceId: null, paymentIntentId: null };
    if (period <= sub.currentPeriod) return { outcome: 'already_paid', ...none };
    if (period !== sub.currentPeriod + 1 || !CHARGEABLE.has(sub.status) || !sub.paymentMethodId) return { outcome: 'not_due', ...none };
    // Canceled at period end: the next period is never charged; the subscription ends instead.
    if (sub.cancelAtPeriodEnd) {
      await cancelNow(manager, sub, now);
      return { outcome: 'canceled', ...none };
    }
    // The items' amounts plus pending proration lines (lifecycle/invoice-lines.ts); one invoice per period.
    const { invoice, created, items } = await invoicePeriod(manager, sub, period);
    const ids = { invoiceId: invoice.id };
    if (invoice.status === BillingInvoiceStatus.PAID) return { outcome: 'already_paid', ...ids, paymentIntentId: invoice.paymentIntentId };
    if (invoice.status !== BillingInvoiceStatus.OPEN) return { outcome: 'not_due', ...ids, paymentIntentId: invoice.paymentIntentId };
    // Credits covered it: paid without a charge.
    if (invoice.amountMinor === 0 && invoice.attempts === 0) {
      await settleWithoutCharge(manager, sub, invoice, now);
      return { outcome: 'paid', ...ids, paymentIntentId: null };
    }
    // An invoice created just now has no intent yet (both are written in one renewal transaction; the unique live
    // index on (subscription, period) refuses a second one anyway): only an invoice already there is looked up.
    let intent = created
      ? null
      : await manager.findOne(PaymentIntentEntity, {
          where: { billingSubscriptionId: sub.id, billingPeriod: period, status: Not(S.CANCELED) },
          lock: { mode: 'pessimistic_write' },
        });
    if (intent && intent.status === S.REQUIRES_ACTION) return { outcome: 'requires_action', ...ids, paymentIntentId: intent.id };
    if (intent && intent.status !== S.REQUIRES_PAYMENT_METHOD && intent.status !== S.REQUIRES_CONFIRMATION) return { outcome: 'pending', ...ids, paymentIntentId: intent.id };
    // A retry only when the dunning schedule says so (attempt 1 is the renewal itself).
    if (invoice.attempts > 0 && (!invoice.nextAttemptAt || invoice.nextAttemptAt > now)) return { outcome: 'not_due', ...ids, paymentIntentId: invoice.paymentIntentId };

    // The merchant's schedule, read before anything is charged (the merchant subgraph down: nothing charged, the job retries).
    const dunning = deps.dunningFor ? await deps.dunningFor(sub.merchantId) : (deps.dunning ?? DEFAULT_DUNNING);
    const credentials = await deps.credentials.get(sub.merchantId);
    if (!credentials) throw noPaymentConnector(sub.merchantId);
    const connector = deps.connectors.for(credentials);
    const attempt = invoice.attempts + 1;
    const offSession: ConfirmOptions = { offSession: true, ...(sub.providerCustomerId ? { customer: sub.providerCustomerId } : {}) };
    let psp: PspPayment | null = null;
    if (!intent && connector.createAndConfirm) {
      // The period's first charge in one PSP call (the sandbox; Stripe's `confirm: true`), keyed by (subscription, period,
      // attempt): a retried run (this transaction rolled back after the PSP answered) sends the same key and gets the same answer.
      const request = renewalPaymentRequest(sub, period, invoice.amountMinor, renewalKey(sub.id, period, `create-confirm:${attempt}`));
      psp = await pspCall(() => connector.createAndConfirm!({ manager }, request, sub.paymentMethodId!, offSession));
      intent = newIntent = await insertRenewalIntent(manager, sub, period, request, psp.providerPaymentId);
    } else if (!intent) {
      intent = newIntent = await createRenewalIntent(manager, connector, sub, period, invoice.amountMinor);
    }
    const charging = intent;
    psp ??= await pspCall(() =>
      connector.confirmPayment({ manager }, charging.providerPaymentId!, sub.paymentMethodId!, deps.returnUrl, offSession, renewalKey(sub.id, period, `confirm:${attempt}`)),
    );
    return applyRenewalAnswer(manager, { sub, invoice, items, intent: charging, psp, attempt, dunning });
  });
  deps.committed?.();
  const made = newIntent as PaymentIntentEntity | null;
  if (made?.providerPaymentId) deps.intentsCreated?.([{ provider: made.provider, providerPaymentId: made.providerPaymentId }]);
  return result;
}

/**
 * A renewal's PSP answer applied in the caller's transaction, which holds the subscription's row lock
 * (chargeOffSession; renewal-batch.ts for a batch's renewals that did not succeed): the intent moved,
 * the invoice's attempt written; a success pays the invoice and advances the period (renewalPaid), a
 * decline or an authentication records the failure (PAST_DUE, the dunning schedule).
 */
export async function applyRenewalAnswer(
  manager: EntityManager,
  a: { sub: BillingSubscriptionEntity; invoice: BillingInvoiceEntity; items: readonly BillingSubscriptionItemEntity[]; intent: PaymentIntentEntity; psp: PspPayment; attempt: number; dunning: DunningPolicy },
): Promise<RenewalResult> {
  const { sub, invoice, items, intent, psp, attempt, dunning } = a;
  const ids = { invoiceId: invoice.id };
  // The attempt on the invoice (its count and intent) is written with the PSP's answer, in this transaction: on a
  // success by renewalPaid (in the same update as PAID; it takes the locked subscription, the invoice and the items
  // from here), otherwise just below. Nothing is committed in between, so written before or after the call is the same.
  const attemptChanges = { attempts: attempt, paymentIntentId: intent.id, nextAttemptAt: null };
  holdRenewal(manager, { sub, invoice, items, invoiceChanges: attemptChanges });
  await applyPspPayment(manager, intent, psp, 'renew');
  if (intent.status === S.SUCCEEDED) return { outcome: 'paid', ...ids, paymentIntentId: intent.id };
  releaseRenewal(manager);
  const attempted = await changeInvoice(manager, sub, invoice, attemptChanges);
  if (intent.status === S.PROCESSING || intent.status === S.REQUIRES_CAPTURE) return { outcome: 'pending', ...ids, paymentIntentId: intent.id };
  const action = intent.status === S.REQUIRES_ACTION;
  const outcome = await recordFailure(manager, sub, attempted, attempt, action, dunning);
  return { outcome, ...ids, paymentIntentId: intent.id };
}

/** What the PSP is asked to charge for a period: the subscription's metadata (aap_* attribution unchanged), its description. */
export function renewalPaymentRequest(sub: BillingSubscriptionEntity, period: number, amountMinor: number, idempotencyKey: string): CreatePaymentRequest {
  const metadata = { ...(sub.metadata ?? {}) };
  const description = `Subscription ${sub.id}, period ${period}`;
  return { merchantId: sub.merchantId, amountMinor, currency: sub.currency, captureMode: CaptureMode.AUTOMATIC, metadata, description, idempotencyKey };
}

/** The period's intent: created at the PSP (keyed by subscription + period), inserted with its billing columns and payment_intent.created. */
async function createRenewalIntent(
  manager: EntityManager,
  connector: ReturnType<Connectors['for']>,
  sub: BillingSubscriptionEntity,
  period: number,
  amountMinor: number,
): Promise<PaymentIntentEntity> {
  const request = renewalPaymentRequest(sub, period, amountMinor, renewalKey(sub.id, period, 'create'));
  const psp = await pspCall(() => connector.createPayment({ manager }, request));
  return insertRenewalIntent(manager, sub, period, request, psp.providerPaymentId);
}

/** The period's intent row (REQUIRES_PAYMENT_METHOD: the PSP's answer is applied after) with its billing columns and payment_intent.created. */
export async function insertRenewalIntent(
  manager: EntityManager,
  sub: BillingSubscriptionEntity,
  period: number,
  request: CreatePaymentRequest,
  providerPaymentId: string,
): Promise<PaymentIntentEntity> {
  const intent = renewalIntentEntity(manager, sub, period, request, providerPaymentId);
  // The billing columns in the insert itself (the unique live index checks them).
  await insertAnnounced(manager, intent, 'payment_intent.created', { billingColumns: true });
  return intent;
}

/** The period's intent as it is created (REQUIRES_PAYMENT_METHOD, version 1), not written. */
export function renewalIntentEntity(manager: EntityManager, sub: BillingSubscriptionEntity, period: number, request: CreatePaymentRequest, providerPaymentId: string): PaymentIntentEntity {
  const { amountMinor, metadata, description } = request;
  const createdAt = new Date();
  return manager.create(PaymentIntentEntity, {
    id: ulid(), merchantId: sub.merchantId, checkoutSessionId: null, status: S.REQUIRES_PAYMENT_METHOD, currency: sub.currency, amountMinor,
    amountCapturedMinor: 0, amountRefundedMinor: 0, captureMode: CaptureMode.AUTOMATIC, captureModePinned: true, paymentMethodTypes: ['card'],
    provider: sub.provider, providerPaymentId, metadata, description, nextAction: null, lastPaymentError: null,
    paymentMethodId: sub.paymentMethodId, checkoutBinding: false, version: 1, createdAt, updatedAt: createdAt,
    billingSubscriptionId: sub.id, billingPeriod: period, billingPlan: null,
  } as Partial<PaymentIntentEntity>) as PaymentIntentEntity;
}

/** A failed attempt: invoice.payment_failed, PAST_DUE, the next attempt; after the last one, UNCOLLECTIBLE and the final status. */
async function recordFailure(
  manager: EntityManager,
  loaded: BillingSubscriptionEntity,
  invoice: BillingInvoiceEntity,
  attempt: number,
  needsAction: boolean,
  dunning: DunningPolicy,
): Promise<RenewalOutcome> {
  // The subscription as the intent's changes left it (its version may have moved).
  const sub = (await manager.findOneByOrFail(BillingSubscriptionEntity, { id: loaded.id })) as BillingSubscriptionEntity;
  const retryDays = dunning.retryDays[attempt - 1];
  const nextAttemptAt = !needsAction && retryDays !== undefined ? new Date(invoice.periodStart.getTime() + retryDays * DAY_MS) : null;
  const giveUp = !needsAction && nextAttemptAt === null;
  await changeInvoice(manager, sub, invoice, { nextAttemptAt }, { failed: true, ...(giveUp ? { to: BillingInvoiceStatus.UNCOLLECTIBLE } : {}) });
  if (giveUp) {
    await changeSubscription(manager, sub, { nextRenewalAt: null, ...(dunning.finalStatus === B.CANCELED ? { canceledAt: new Date() } : {}) }, dunning.finalStatus);
    return 'gave_up';
  }
  await changeSubscription(manager, sub, { nextRenewalAt: nextAttemptAt }, sub.status === B.PAST_DUE ? undefined : B.PAST_DUE);
  return needsAction ? 'requires_action' : 'declined';
}

