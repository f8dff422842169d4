// The sandbox PSP (`TEST`): a simulated processor inside Handoff with its own payment ids,
// tokenized test cards, and Stripe's behaviours. It keeps its own records (sandbox_payments)
// and tells the merchant about every change by a signed webhook, as a real PSP would.
import { addToOutbox } from '@handoff/shared';
import { createHash, randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import {
  PspRequestRejected,
  type CreatePaymentRequest,
  type PspCallContext,
  type PspConnector,
  type PspPayment,
  type PspRefund,
} from '../connector.js';
import {
  chargeObject,
  disputeObject,
  emitSandboxWebhook,
  paymentIntentObject,
  SANDBOX_SCHEMA,
  SANDBOX_SETTLE_TOPIC,
} from './sandbox-events.js';
import { SandboxPaymentEntity, SandboxPaymentMethodEntity, SandboxRefundEntity, type SandboxStatus } from './sandbox.entities.js';
import { DECLINES, parseTestCard, THREE_D_SECURE_FAILED, type CardBehaviour, type DeclineSpec } from './test-cards.js';

/** The sandbox's payment id for a create: deterministic, as Stripe's idempotent create is. */
export function sandboxPaymentId(merchantId: string, idempotencyKey: string): string {
  return `pi_sbx_${createHash('sha256').update(`${merchantId}\0${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** The sandbox's refund id for a keyed refund: deterministic, as Stripe's idempotent refund is. */
export function sandboxRefundId(paymentId: string, idempotencyKey: string): string {
  return `re_sbx_${createHash('sha256').update(`${paymentId}\0${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

export type DisputeOutcome = 'OPEN' | 'WON' | 'LOST';

export class SandboxConnector implements PspConnector {
  readonly provider = PaymentProvider.TEST;

  async createPayment({ manager }: PspCallContext, req: CreatePaymentRequest): Promise<PspPayment> {
    checkStripeLimits(req);
    const id = sandboxPaymentId(req.merchantId, req.idempotencyKey);
    const p = manager.create(SandboxPaymentEntity, {
      id,
      merchantId: req.merchantId,
      idempotencyKey: req.idempotencyKey,
      amountMinor: req.amountMinor,
      amountReceivedMinor: 0,
      amountRefundedMinor: 0,
      currency: req.currency,
      captureMethod: req.captureMode === 'MANUAL' ? 'manual' : 'automatic',
      status: 'requires_payment_method',
      paymentMethodId: null,
      chargeId: null,
      metadata: req.metadata,
      description: req.description,
      lastPaymentError: null,
      dispute: null,
      createdAt: new Date(),
    });
    p.updatedAt = p.createdAt;
    // Its id is the idempotency key's: a key used before finds its payment (one round trip when new).
    const inserted = await manager.createQueryBuilder().insert().into(SandboxPaymentEntity).values(p).orIgnore().returning('id').execute();
    if (!(inserted.raw as unknown[]).length) {
      const existing = await manager.findOneByOrFail(SandboxPaymentEntity, { id });
      if (existing.amountMinor !== req.amountMinor || existing.currency !== req.currency) {
        throw new PspRequestRejected('Idempotency key reused with different parameters.', 'idempotency_error');
      }
      return view(existing);
    }
    await emitSandboxWebhook(manager, p, 'payment_intent.created', paymentIntentObject(p));
    return view(p);
  }

  async tokenizeTestCard({ manager }: PspCallContext, cardNumber: string): Promise<string> {
    const card = parseTestCard(cardNumber);
    const id = `pm_sbx_${randomBytes(12).toString('hex')}`;
    await manager.insert(SandboxPaymentMethodEntity, { id, brand: card.brand, last4: card.last4, behaviour: card.behaviour });
    return id;
  }

  async confirmPayment({ manager }: PspCallContext, id: string, paymentMethod: string): Promise<PspPayment> {
    const p = await this.lock(manager, id);
    if (p.status !== 'requires_payment_method') throw rejected(`Payment ${id} cannot be confirmed while ${p.status}.`);
    const pm = await manager.findOneBy(SandboxPaymentMethodEntity, { id: paymentMethod });
    if (!pm) throw new PspRequestRejected('No such payment method.', 'resource_missing');
    p.paymentMethodId = pm.id;
    p.chargeId ??= p.id.replace(/^pi_/, 'ch_');
    return this.runBehaviour(manager, p, pm.behaviour);
  }

  async completeThreeDSecure({ manager }: PspCallContext, id: string, approved: boolean): Promise<PspPayment> {
    const p = await this.lock(manager, id);
    if (p.status !== 'requires_action') throw rejected(`Payment ${id} has no 3-D Secure challenge pending.`);
    if (approved) return this.authorize(manager, p);
    return this.fail(manager, p, THREE_D_SECURE_FAILED);
  }

  async capturePayment({ manager }: PspCallContext, id: string, amountMinor: number): Promise<PspPayment> {
    const p = await this.lock(manager, id);
    if (p.status !== 'requires_capture') throw rejected(`Payment ${id} cannot be captured while ${p.status}.`);
    if (amountMinor < 1 || amountMinor > p.amountMinor) throw rejected('Capture amount out of range.');
    p.amountReceivedMinor = amountMinor;
    return this.move(manager, p, 'succeeded', 'payment_intent.succeeded');
  }

  async cancelPayment({ manager }: PspCallContext, id: string): Promise<PspPayment> {
    const p = await this.lock(manager, id);
    if (p.status === 'succeeded' || p.status === 'canceled') throw rejected(`Payment ${id} cannot be canceled while ${p.status}.`);
    return this.move(manager, p, 'canceled', 'payment_intent.canceled');
  }

  async refundPayment(
    { manager }: PspCallContext,
    id: string,
    req: { amountMinor: number; reason: string | null; idempotencyKey: string },
  ): Promise<PspRefund> {
    const refundId = await this.refund(manager, id, req.amountMinor, req.idempotencyKey);
    return { providerRefundId: refundId, status: 'succeeded' };
  }

  // ---- Admin triggers (sandbox.resolver.ts) and the asynchronous settlement of PROCESSING ----

  /**
   * A refund (from the API with an idempotency key, or as from the PSP's dashboard without one),
   * reported to Handoff by webhook. The same key again returns the first refund and refunds
   * nothing more; with another amount it is refused, as Stripe refuses a reused key.
   */
  async refund(manager: EntityManager, id: string, amountMinor: number, idempotencyKey: string | null = null): Promise<string> {
    const p = await this.lock(manager, id);
    const refundId = idempotencyKey ? sandboxRefundId(p.id, idempotencyKey) : `re_sbx_${ulid()}`;
    const earlier = idempotencyKey ? await manager.findOneBy(SandboxRefundEntity, { id: refundId }) : null;
    if (earlier) {
      if (earlier.amountMinor !== amountMinor) throw new PspRequestRejected('Idempotency key reused with different parameters.', 'idempotency_error');
      return earlier.id;
    }
    if (p.status !== 'succeeded') throw rejected(`Payment ${id} has nothing captured to refund.`);
    if (amountMinor < 1 || p.amountRefundedMinor + amountMinor > p.amountReceivedMinor) throw rejected('Refund amount out of range.');
    p.amountRefundedMinor += amountMinor;
    await manager.save(SandboxPaymentEntity, p);
    await manager.insert(SandboxRefundEntity, { id: refundId, paymentId: p.id, amountMinor, idempotencyKey });
    const refund = { id: refundId, amount: amountMinor };
    await emitSandboxWebhook(manager, p, 'charge.refunded', chargeObject(p, refund));
    return refund.id;
  }

  /** Opens a dispute, or closes it won or lost (opening it first if needed). Returns the event ids. */
  async dispute(manager: EntityManager, id: string, outcome: DisputeOutcome): Promise<string[]> {
    const p = await this.lock(manager, id);
    if (p.status !== 'succeeded') throw rejected(`Payment ${id} has no charge to dispute.`);
    const events: string[] = [];
    if (!p.dispute || p.dispute.status !== 'needs_response') {
      p.dispute = { id: `dp_sbx_${ulid()}`, status: 'needs_response', amount: p.amountReceivedMinor };
      await manager.save(SandboxPaymentEntity, p);
      const opened = await emitSandboxWebhook(manager, p, 'charge.dispute.created', disputeObject(p));
      if (opened) events.push(opened);
    }
    if (outcome !== 'OPEN') {
      p.dispute = { ...p.dispute, status: outcome === 'WON' ? 'won' : 'lost' };
      await manager.save(SandboxPaymentEntity, p);
      const closed = await emitSandboxWebhook(manager, p, 'charge.dispute.closed', disputeObject(p));
      if (closed) events.push(closed);
    }
    return events;
  }

  /** PROCESSING → authorized, some time after the confirmation (sandbox-settle job). */
  async settle(manager: EntityManager, id: string): Promise<void> {
    const p = await this.lock(manager, id);
    if (p.status !== 'processing') return;
    await this.authorize(manager, p);
  }

  async findPayment(manager: EntityManager, id: string): Promise<SandboxPaymentEntity | null> {
    return manager.findOneBy(SandboxPaymentEntity, { id });
  }

  private async runBehaviour(manager: EntityManager, p: SandboxPaymentEntity, behaviour: CardBehaviour): Promise<PspPayment> {
    switch (behaviour) {
      case 'succeed':
        return this.authorize(manager, p);
      case 'decline_generic':
      case 'decline_insufficient_funds':
        return this.fail(manager, p, DECLINES[behaviour]!);
      case 'three_d_secure':
        return this.move(manager, p, 'requires_action', 'payment_intent.requires_action');
      case 'processing': {
        const result = await this.move(manager, p, 'processing', 'payment_intent.processing');
        await addToOutbox(manager, SANDBOX_SCHEMA, { topic: SANDBOX_SETTLE_TOPIC, aggregateId: p.id, payload: { paymentId: p.id, confirmedAt: Date.now() } });
        return result;
      }
    }
  }

  /** Funds authorized: captured now (automatic) or held for a capture (manual). */
  private authorize(manager: EntityManager, p: SandboxPaymentEntity): Promise<PspPayment> {
    p.lastPaymentError = null;
    if (p.captureMethod === 'manual') return this.move(manager, p, 'requires_capture', 'payment_intent.amount_capturable_updated');
    p.amountReceivedMinor = p.amountMinor;
    return this.move(manager, p, 'succeeded', 'payment_intent.succeeded');
  }

  private async fail(manager: EntityManager, p: SandboxPaymentEntity, d: DeclineSpec): Promise<PspPayment> {
    p.lastPaymentError = { code: d.code, decline_code: d.declineCode, message: d.message };
    const result = await this.move(manager, p, 'requires_payment_method', 'payment_intent.payment_failed');
    return { ...result, error: { code: d.code, declineCode: d.declineCode, message: d.message } };
  }

  private async move(manager: EntityManager, p: SandboxPaymentEntity, status: SandboxStatus, eventType: string): Promise<PspPayment> {
    p.status = status;
    await manager.save(SandboxPaymentEntity, p);
    await emitSandboxWebhook(manager, p, eventType, paymentIntentObject(p));
    return view(p);
  }

  private async lock(manager: EntityManager, id: string): Promise<SandboxPaymentEntity> {
    const p = await manager.findOne(SandboxPaymentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!p) throw new PspRequestRejected(`No such payment: ${id}`, 'resource_missing');
    return p;
  }
}

function view(p: SandboxPaymentEntity): PspPayment {
  return {
    providerPaymentId: p.id,
    status: p.status,
    amountReceivedMinor: p.amountReceivedMinor,
    nextAction: p.status === 'requires_action' ? { type: 'three_d_secure', url: null } : null,
    error: null,
    paymentMethodId: p.paymentMethodId,
  };
}

const rejected = (message: string) => new PspRequestRejected(message, 'payment_intent_unexpected_state');

/** Stripe's metadata limits, which the sandbox enforces too so nothing passes here and fails there. */
function checkStripeLimits(req: CreatePaymentRequest): void {
  if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor < 1) throw new PspRequestRejected('Amount must be at least 1.', 'amount_too_small');
  const entries = Object.entries(req.metadata);
  if (entries.length > 50) throw new PspRequestRejected('Metadata may have at most 50 keys.', 'parameter_invalid');
  for (const [k, v] of entries) {
    if (k.length > 40 || typeof v !== 'string' || v.length > 500) {
      throw new PspRequestRejected('Metadata keys are at most 40 characters and values at most 500.', 'parameter_invalid');
    }
  }
}
