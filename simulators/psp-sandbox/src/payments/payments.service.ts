// The sandbox's payments: its own payment ids, tokenized test cards, and Stripe's behaviours.
// Every change is one transaction of the sandbox's own database (the caller's `manager`) with
// the signed webhook that tells the merchant about it, as a real PSP would.
import { addToOutbox, cardNumberDigits } from '@handoff/shared';
import { createHash, randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { idempotencyReused, invalidParameter, noSuchPayment, unexpectedState } from '../errors.js';
import { DECLINES, parseTestCard, THREE_D_SECURE_FAILED, type CardBehaviour, type DeclineSpec } from '../test-cards.js';
import { chargeObject, disputeObject, emitSandboxWebhook, paymentIntentObject, SANDBOX_SCHEMA, SANDBOX_SETTLE_TOPIC } from '../webhooks/webhook-events.js';
import { SandboxPaymentEntity, SandboxPaymentMethodEntity, SandboxRefundEntity, type SandboxStatus } from './payment.entities.js';

/** The sandbox's payment id for a create: deterministic, as Stripe's idempotent create is. */
export function sandboxPaymentId(merchantId: string, idempotencyKey: string): string {
  return `pi_sbx_${createHash('sha256').update(`${merchantId}\0${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** The sandbox's refund id for a keyed refund: deterministic, as Stripe's idempotent refund is. */
export function sandboxRefundId(paymentId: string, idempotencyKey: string): string {
  return `re_sbx_${createHash('sha256').update(`${paymentId}\0${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** Payments inserted by `create`, with the transaction (EntityManager) that inserted them. */
const createdHere = new WeakMap<SandboxPaymentEntity, EntityManager>();

export type DisputeOutcome = 'OPEN' | 'WON' | 'LOST';

/** Stripe's `card.fingerprint` of a card number: the same number always gives the same one; the number is not kept. */
export function cardFingerprint(digits: string): string {
  return createHash('sha256').update(`sandbox-card-fingerprint\0${digits}`).digest('base64url').slice(0, 16);
}

/** What a confirmation may ask beyond the card (Stripe's confirm parameters). */
export interface ConfirmOptions {
  /** `payment_method_options.card.request_three_d_secure: 'any'`: a challenge whatever the card. */
  requestThreeDSecure?: boolean;
  /** `capture_method` set at confirmation (Stripe allows it): `manual` holds the authorized funds. */
  captureMethod?: 'automatic' | 'manual';
  /** Stripe's `off_session: true`: the buyer is not there (a renewal); decides decline_off_session cards. */
  offSession?: boolean;
}

export interface CreatePayment {
  amountMinor: number;
  /** Uppercase ISO 4217. */
  currency: string;
  captureMethod: 'automatic' | 'manual';
  metadata: Record<string, string>;
  description: string | null;
  idempotencyKey: string;
}

/** A payment after a call, with the decline of this call's attempt if it was declined. */
export interface Attempt {
  payment: SandboxPaymentEntity;
  error: DeclineSpec | null;
}

export class SandboxPayments {
  async create(manager: EntityManager, merchantId: string, req: CreatePayment): Promise<SandboxPaymentEntity> {
    checkStripeLimits(req);
    const id = sandboxPaymentId(merchantId, req.idempotencyKey);
    const p = manager.create(SandboxPaymentEntity, {
      id,
      merchantId,
      idempotencyKey: req.idempotencyKey,
      amountMinor: req.amountMinor,
      amountReceivedMinor: 0,
      amountRefundedMinor: 0,
      currency: req.currency,
      captureMethod: req.captureMethod,
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
      if (existing.amountMinor !== req.amountMinor || existing.currency !== req.currency) throw idempotencyReused();
      return existing;
    }
    await emitSandboxWebhook(manager, p, 'payment_intent.created', paymentIntentObject(p));
    createdHere.set(p, manager);
    return p;
  }

  /** A `pm_…` token for a test card; only its brand, last 4 digits and behaviour are kept. */
  async tokenize(manager: EntityManager, cardNumber: string): Promise<SandboxPaymentMethodEntity> {
    let card;
    try {
      card = parseTestCard(cardNumber, 'card[number]');
    } catch {
      throw invalidParameter('card[number]', 'Your card number is incorrect.', 'incorrect_number');
    }
    const pm = manager.create(SandboxPaymentMethodEntity, {
      id: `pm_sbx_${randomBytes(12).toString('hex')}`,
      brand: card.brand,
      last4: card.last4,
      behaviour: card.behaviour,
      fingerprint: cardFingerprint(cardNumberDigits(cardNumber) ?? card.last4),
    });
    await manager.insert(SandboxPaymentMethodEntity, pm);
    return pm;
  }

  /** A payment method (Stripe's GET /v1/payment_methods/:id); null when unknown. */
  findPaymentMethod(manager: EntityManager, id: string): Promise<SandboxPaymentMethodEntity | null> {
    return manager.findOneBy(SandboxPaymentMethodEntity, { id });
  }

  /** `created`: the payment as `create` inserted it in this transaction (a create with `confirm: true`): its row is this transaction's already, not locked again. */
  async confirm(manager: EntityManager, merchantId: string, id: string, paymentMethod: string, opts: ConfirmOptions = {}, created?: SandboxPaymentEntity): Promise<Attempt> {
    const p = created && created.id === id && created.merchantId === merchantId && createdHere.get(created) === manager ? created : await this.lock(manager, id, merchantId);
    if (p.status !== 'requires_payment_method') throw unexpectedState(`Payment ${id} cannot be confirmed while ${p.status}.`);
    const pm = await manager.findOneBy(SandboxPaymentMethodEntity, { id: paymentMethod });
    if (!pm) throw invalidParameter('payment_method', 'No such payment method.', 'resource_missing');
    p.paymentMethodId = pm.id;
    p.chargeId ??= p.id.replace(/^pi_/, 'ch_');
    if (opts.captureMethod) p.captureMethod = opts.captureMethod;
    // A 3-D Secure challenge asked by the merchant comes before whatever the card does.
    if (opts.requestThreeDSecure) return this.move(manager, p, 'requires_action', 'payment_intent.requires_action');
    return this.runBehaviour(manager, p, pm.behaviour === 'decline_off_session' ? (opts.offSession ? 'decline_generic' : 'succeed') : pm.behaviour);
  }

  /** The challenge's outcome: failed → declined; approved → what the card does once authenticated (a declining card still declines). */
  async completeThreeDSecure(manager: EntityManager, merchantId: string, id: string, approved: boolean): Promise<Attempt> {
    const p = await this.lock(manager, id, merchantId);
    if (p.status !== 'requires_action') throw unexpectedState(`Payment ${id} has no 3-D Secure challenge pending.`);
    if (!approved) return this.fail(manager, p, THREE_D_SECURE_FAILED);
    const pm = p.paymentMethodId ? await manager.findOneBy(SandboxPaymentMethodEntity, { id: p.paymentMethodId }) : null;
    const behaviour = pm?.behaviour ?? 'succeed';
    return this.runBehaviour(manager, p, behaviour === 'three_d_secure' || behaviour === 'decline_off_session' ? 'succeed' : behaviour);
  }

  async capture(manager: EntityManager, merchantId: string, id: string, amountMinor: number): Promise<SandboxPaymentEntity> {
    const p = await this.lock(manager, id, merchantId);
    if (p.status !== 'requires_capture') throw unexpectedState(`Payment ${id} cannot be captured while ${p.status}.`);
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1 || amountMinor > p.amountMinor) throw unexpectedState('Capture amount out of range.');
    p.amountReceivedMinor = amountMinor;
    return (await this.move(manager, p, 'succeeded', 'payment_intent.succeeded')).payment;
  }

  async cancel(manager: EntityManager, merchantId: string, id: string): Promise<SandboxPaymentEntity> {
    const p = await this.lock(manager, id, merchantId);
    if (p.status === 'succeeded' || p.status === 'canceled') throw unexpectedState(`Payment ${id} cannot be canceled while ${p.status}.`);
    return (await this.move(manager, p, 'canceled', 'payment_intent.canceled')).payment;
  }

  /**
   * A refund (from the API with an idempotency key, or from the dashboard without one: then
   * `merchantId` is null, the operator may refund any payment), reported to the merchant by
   * webhook. The same key again returns the first refund and refunds nothing more; with another
   * amount it is refused, as Stripe refuses a reused key.
   */
  async refund(manager: EntityManager, merchantId: string | null, id: string, amountMinor: number, idempotencyKey: string | null = null): Promise<SandboxRefundEntity> {
    const p = await this.lock(manager, id, merchantId);
    const refundId = idempotencyKey ? sandboxRefundId(p.id, idempotencyKey) : `re_sbx_${ulid()}`;
    const earlier = idempotencyKey ? await manager.findOneBy(SandboxRefundEntity, { id: refundId }) : null;
    if (earlier) {
      if (earlier.amountMinor !== amountMinor) throw idempotencyReused();
      return earlier;
    }
    if (p.status !== 'succeeded') throw unexpectedState(`Payment ${id} has nothing captured to refund.`);
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1 || p.amountRefundedMinor + amountMinor > p.amountReceivedMinor) throw unexpectedState('Refund amount out of range.');
    p.amountRefundedMinor += amountMinor;
    await manager.save(SandboxPaymentEntity, p);
    const refund = manager.create(SandboxRefundEntity, { id: refundId, paymentId: p.id, amountMinor, idempotencyKey });
    await manager.insert(SandboxRefundEntity, refund);
    await emitSandboxWebhook(manager, p, 'charge.refunded', chargeObject(p, { id: refundId, amount: amountMinor }));
    return refund;
  }

  /** Dashboard: opens a dispute, or closes it won or lost (opening it first if needed). Returns the event ids. */
  async dispute(manager: EntityManager, id: string, outcome: DisputeOutcome): Promise<string[]> {
    const p = await this.lock(manager, id, null);
    if (p.status !== 'succeeded') throw unexpectedState(`Payment ${id} has no charge to dispute.`);
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

  /** PROCESSING → authorized, some time after the confirmation (the settle job). */
  async settle(manager: EntityManager, id: string): Promise<void> {
    const p = await this.lock(manager, id, null);
    if (p.status !== 'processing') return;
    await this.authorize(manager, p);
  }

  /** The merchant's payment (any payment for the dashboard: `merchantId` null), or null. */
  async find(manager: EntityManager, merchantId: string | null, id: string): Promise<SandboxPaymentEntity | null> {
    const p = await manager.findOneBy(SandboxPaymentEntity, { id });
    return p && (merchantId === null || p.merchantId === merchantId) ? p : null;
  }

  private async runBehaviour(manager: EntityManager, p: SandboxPaymentEntity, behaviour: CardBehaviour): Promise<Attempt> {
    switch (behaviour) {
      case 'succeed':
      case 'decline_off_session': // on-session here: off-session confirmations are declines (confirm())
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
  private authorize(manager: EntityManager, p: SandboxPaymentEntity): Promise<Attempt> {
    p.lastPaymentError = null;
    if (p.captureMethod === 'manual') return this.move(manager, p, 'requires_capture', 'payment_intent.amount_capturable_updated');
    p.amountReceivedMinor = p.amountMinor;
    return this.move(manager, p, 'succeeded', 'payment_intent.succeeded');
  }

  private async fail(manager: EntityManager, p: SandboxPaymentEntity, d: DeclineSpec): Promise<Attempt> {
    p.lastPaymentError = { code: d.code, decline_code: d.declineCode, message: d.message };
    const result = await this.move(manager, p, 'requires_payment_method', 'payment_intent.payment_failed');
    return { ...result, error: d };
  }

  private async move(manager: EntityManager, p: SandboxPaymentEntity, status: SandboxStatus, eventType: string): Promise<Attempt> {
    p.status = status;
    p.updatedAt = new Date();
    // The row is locked (or inserted) by this transaction: the fields a move may change, written without save()'s read-back.
    await manager.update(SandboxPaymentEntity, { id: p.id }, {
      status: p.status, amountReceivedMinor: p.amountReceivedMinor, paymentMethodId: p.paymentMethodId, chargeId: p.chargeId,
      captureMethod: p.captureMethod, lastPaymentError: p.lastPaymentError, updatedAt: p.updatedAt,
    });
    await emitSandboxWebhook(manager, p, eventType, paymentIntentObject(p));
    return { payment: p, error: null };
  }

  /** The payment, row-locked; another merchant's is as unknown as a missing one. */
  private async lock(manager: EntityManager, id: string, merchantId: string | null): Promise<SandboxPaymentEntity> {
    const p = await manager.findOne(SandboxPaymentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!p || (merchantId !== null && p.merchantId !== merchantId)) throw noSuchPayment(id);
    return p;
  }
}

/** Stripe's limits, which the sandbox enforces too so nothing passes here and fails there. */
function checkStripeLimits(req: CreatePayment): void {
  if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor < 1) throw invalidParameter('amount', 'Amount must be at least 1.', 'amount_too_small');
  const entries = Object.entries(req.metadata);
  if (entries.length > 50) throw invalidParameter('metadata', 'Metadata may have at most 50 keys.');
  for (const [k, v] of entries) {
    if (k.length > 40 || typeof v !== 'string' || v.length > 500) {
      throw invalidParameter('metadata', 'Metadata keys are at most 40 characters and values at most 500.');
    }
  }
}
