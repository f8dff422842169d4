// Refunds: partial, several, never above what was captured (pending ones included), idempotent
// (Stripe's key semantics through the shared IdempotencyStore, and a PSP idempotency key derived
// from the caller's, so a retry after a lost commit finds the PSP's first refund). One
// transaction holds the intent's row lock while the PSP refunds. A refund the PSP answers
// `pending` (Stripe can) is recorded PENDING and counts once its webhook says it succeeded.
// Refunds the PSP reports by webhook (its dashboard, the sandbox's admin trigger) are recorded
// by recordReportedRefund, once per PSP refund id.
import { badUserInput, refuseBidiControls, type IdempotencyCodec, type IdempotencyStore, type Principal } from '@handoff/shared';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import type { Connectors } from '../psp/connectors.js';
import { PspRequestRejected } from '../psp/connector.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { recordTimeline, saveChange } from '../payment-intent/payment-intent.changes.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntentStatus as S } from '../payment-intent/payment-intent.enums.js';
import { cannotFromStatus, noPaymentConnector, paymentIntentNotFound, pspRequestFailed } from '../payment-intent/payment-intent.errors.js';
import { findVisiblePaymentIntent } from '../payment-intent/payment-intent.access.js';
import { RefundEntity, type RefundStatus } from './refund.entity.js';

export interface RefundSpec {
  amountMinor?: number | null;
  reason?: string | null;
}

const refundCodec: IdempotencyCodec<RefundEntity> = {
  toStored: (r) => ({ id: r.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(RefundEntity, { id: stored.id }),
};

export class RefundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly committed: () => void,
  ) {}

  async refund(principal: Principal, id: string, spec: RefundSpec, idempotencyKey: string | undefined): Promise<RefundEntity> {
    if (spec.reason && spec.reason.length > 500) throw badUserInput('reason', 'must be at most 500 characters.');
    refuseBidiControls(spec.reason, 'reason');
    const peek = await findVisiblePaymentIntent(this.dataSource.manager, principal, id);
    if (!peek) throw paymentIntentNotFound(id);
    const credentials = await this.credentials.get(peek.merchantId);
    if (!credentials) throw noPaymentConnector(peek.merchantId);
    const connector = this.connectors.for(credentials);

    const refund = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'refundPaymentIntent', input: { id, amountMinor: spec.amountMinor ?? null, reason: spec.reason ?? null } },
      async (manager) => {
        const intent = await manager.findOne(PaymentIntentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!intent) throw paymentIntentNotFound(id);
        if (intent.status !== S.SUCCEEDED) throw cannotFromStatus('be refunded', intent.status);
        const refundable = intent.amountCapturedMinor - intent.amountRefundedMinor - (await pendingRefundsMinor(manager, intent.id));
        const amount = spec.amountMinor ?? refundable;
        if (!Number.isSafeInteger(amount) || amount < 1 || amount > refundable) {
          throw badUserInput('amountMinor', `must be between 1 and the refundable ${refundable} (captured minus refunded and pending refunds).`);
        }
        const r = manager.create(RefundEntity, {
          id: ulid(),
          paymentIntentId: intent.id,
          amountMinor: amount,
          currency: intent.currency,
          status: 'PENDING',
          reason: spec.reason ?? null,
          idempotencyKey: idempotencyKey ?? null,
          providerRefundId: null,
        });
        let psp;
        try {
          psp = await connector.refundPayment({ manager }, intent.providerPaymentId!, { amountMinor: amount, reason: r.reason, idempotencyKey: pspRefundKey(intent.id, idempotencyKey, r.id) });
        } catch (err) {
          if (err instanceof PspRequestRejected) throw pspRequestFailed(err.message);
          throw err;
        }
        // The PSP answered with a refund it had already made for this key: that one, not a second.
        const known = await manager.findOneBy(RefundEntity, { providerRefundId: psp.providerRefundId });
        if (known) return known;
        r.providerRefundId = psp.providerRefundId;
        r.status = refundStatusOf(psp.status);
        await manager.insert(RefundEntity, r);
        if (r.status === 'SUCCEEDED') {
          intent.amountRefundedMinor += amount;
          await saveChange(manager, intent, 'payment_intent.refunded', { refundId: r.id, amountMinor: amount, reason: r.reason });
        } else {
          await recordTimeline(manager, intent.id, r.status === 'PENDING' ? 'refund.pending' : 'refund.failed', { refundId: r.id, amountMinor: amount, providerRefundId: r.providerRefundId });
        }
        return r;
      },
      refundCodec,
    );
    this.committed();
    return refund;
  }

  async listFor(paymentIntentId: string): Promise<RefundEntity[]> {
    return this.dataSource.getRepository(RefundEntity).find({ where: { paymentIntentId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}

/** The PSP idempotency key of a refund: from the caller's key when there is one (a retry finds the first refund). */
export function pspRefundKey(paymentIntentId: string, idempotencyKey: string | undefined, refundId: string): string {
  if (!idempotencyKey) return `handoff-refund-${refundId}`;
  return `handoff-refund-${createHash('sha256').update(`${paymentIntentId}\0${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

/** A PSP refund status (Stripe's: succeeded, pending, requires_action, failed, canceled) in ours. */
export function refundStatusOf(status: string | null | undefined): RefundStatus {
  if (status === 'failed' || status === 'canceled') return 'FAILED';
  if (status === 'pending' || status === 'requires_action') return 'PENDING';
  return 'SUCCEEDED';
}

async function pendingRefundsMinor(manager: EntityManager, paymentIntentId: string): Promise<number> {
  const rows: Array<{ n: string | null }> = await manager.query(
    `SELECT sum(amount_minor) AS n FROM payment.refunds WHERE payment_intent_id = $1 AND status = 'PENDING'`,
    [paymentIntentId],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A refund the PSP reported (webhook). Idempotent on the PSP's refund id: a new one is recorded
 * with the PSP's status; a PENDING one of ours completes (SUCCEEDED, counted) or fails. The
 * intent's refunded total follows the PSP's own total when it gives one, less what is still
 * pending here (never down, never above captured). Returns whether anything changed.
 */
export async function recordReportedRefund(
  manager: EntityManager,
  intent: PaymentIntentEntity,
  reported: { refundId: string | null; amountMinor: number | null; totalRefundedMinor: number | null; status?: string | null },
): Promise<boolean> {
  let added = 0;
  const status = refundStatusOf(reported.status);
  if (reported.refundId) {
    const known = await manager.findOneBy(RefundEntity, { providerRefundId: reported.refundId });
    if (!known && reported.amountMinor && reported.amountMinor > 0) {
      await manager.insert(RefundEntity, {
        id: ulid(),
        paymentIntentId: intent.id,
        amountMinor: reported.amountMinor,
        currency: intent.currency,
        status,
        reason: 'reported_by_psp',
        idempotencyKey: null,
        providerRefundId: reported.refundId,
      });
      if (status === 'SUCCEEDED') added = reported.amountMinor;
    } else if (known && known.status === 'PENDING' && status !== 'PENDING') {
      await manager.update(RefundEntity, { id: known.id }, { status });
      if (status === 'SUCCEEDED') added = known.amountMinor;
      else await recordTimeline(manager, intent.id, 'refund.failed', { refundId: known.id, providerRefundId: known.providerRefundId });
    }
  }
  const pending = await pendingRefundsMinor(manager, intent.id);
  const target = Math.min(
    intent.amountCapturedMinor,
    Math.max(intent.amountRefundedMinor + added, (reported.totalRefundedMinor ?? 0) - pending),
  );
  if (target === intent.amountRefundedMinor) return false;
  intent.amountRefundedMinor = target;
  await saveChange(manager, intent, 'payment_intent.refunded', { refundId: reported.refundId, amountMinor: reported.amountMinor, source: 'psp' });
  return true;
}
