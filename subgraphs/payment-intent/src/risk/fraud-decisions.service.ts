// A fraud provider's signed decisions (POST /v1/checkout/webhook/fraud, forwarded raw by the
// gateway): `{ id, session_id | payment_intent_id, decision: allow | review | block, score?, reasons? }`
// signed `Handoff-Signature` (the shared webhook scheme) with the merchant's fraud-provider secret
// (rollFraudWebhookSecret). A bad or missing signature is 400 WEBHOOK_SIGNATURE_INVALID and writes
// nothing; a replayed event id is acknowledged and does nothing (the decision is an assessment
// row, unique per merchant and provider event id). Each decision is recorded (source PROVIDER; the
// intent's next confirmation takes it into account) and:
//   review → the payment is held for a manual review (opened now; a payment not yet confirmed is
//            confirmed for a manual capture);
//   block  → a payment not yet captured is canceled (an authorization voided) as a fraud refusal:
//            the checkout fails with fraud_block; its pending review is rejected;
//   allow  → recorded.
// The decision and its effect are one transaction: a failure (the PSP unreachable) writes nothing
// and answers 503, so the provider delivers it again.
import { ErrorCode, SIGNATURE_TOLERANCE_SECONDS, verifySignature, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { PaymentIntentCommands } from '../payment-intent/payment-intent.commands.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntentStatus as S } from '../payment-intent/payment-intent.enums.js';
import { insertAssessment } from './risk-assessments.store.js';
import { ManualReviewEntity } from './risk.entities.js';
import { RiskAction, type RiskReason } from './risk.model.js';
import { openReview } from './manual-review.store.js';
import type { RiskSettingsService } from './risk-settings.service.js';

export interface FraudAnswer {
  status: number;
  body: Record<string, unknown>;
}

type Decision = 'allow' | 'review' | 'block';
const ACTION: Record<Decision, RiskAction> = { allow: RiskAction.ALLOW, review: RiskAction.REVIEW, block: RiskAction.BLOCK };
const ID = /^[A-Za-z0-9_.:-]{1,120}$/;
const PROVIDER: Principal = { kind: 'SERVICE', service: 'fraud-provider' };

export interface FraudDecision {
  eventId: string;
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  decision: Decision;
  score: number | null;
  reasons: string[];
}

const refused = (status: number, code: string, error: string, field?: string): FraudAnswer => ({ status, body: { received: false, error, code, ...(field ? { field } : {}) } });

/** The decision's body, checked; a FraudAnswer (400 naming the field) when it is not one. */
export function readFraudDecision(raw: Buffer): FraudDecision | FraudAnswer {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return refused(400, ErrorCode.BAD_USER_INPUT, 'The body must be a JSON object.', 'body');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return refused(400, ErrorCode.BAD_USER_INPUT, 'The body must be a JSON object.', 'body');
  const b = body as Record<string, unknown>;
  const bad = (field: string, why: string) => refused(400, ErrorCode.BAD_USER_INPUT, `${field}: ${why}`, field);
  const eventId = b.id ?? b.event_id;
  if (typeof eventId !== 'string' || !ID.test(eventId)) return bad('id', 'must be the event id (1-120 letters, digits, _ . : -).');
  const ids: Record<string, string | null> = {};
  for (const k of ['session_id', 'checkout_id', 'payment_intent_id']) {
    const v = b[k];
    if (v === undefined || v === null) ids[k] = null;
    else if (typeof v !== 'string' || !ID.test(v)) return bad(k, 'must be an id.');
    else ids[k] = v;
  }
  const sessionId = ids.session_id ?? ids.checkout_id ?? null;
  if (!sessionId && !ids.payment_intent_id) return bad('session_id', 'give session_id or payment_intent_id.');
  if (b.decision !== 'allow' && b.decision !== 'review' && b.decision !== 'block') return bad('decision', 'must be allow, review or block.');
  if (b.score !== undefined && b.score !== null && (typeof b.score !== 'number' || !Number.isInteger(b.score) || b.score < 0 || b.score > 100)) return bad('score', 'must be an integer from 0 to 100.');
  const reasons = b.reasons ?? [];
  if (!Array.isArray(reasons) || reasons.length > 20 || !reasons.every((r) => typeof r === 'string' && r.length > 0 && r.length <= 500)) {
    return bad('reasons', 'must be a list of at most 20 texts of 1-500 characters.');
  }
  return { eventId, checkoutSessionId: sessionId, paymentIntentId: ids.payment_intent_id ?? null, decision: b.decision, score: (b.score as number | undefined) ?? null, reasons: reasons as string[] };
}

/** Thrown inside the effect's transaction when the event was already recorded: rolls back, answered as a duplicate. */
class AlreadyRecorded extends Error {}

export class FraudDecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: RiskSettingsService,
    private readonly commands: PaymentIntentCommands,
  ) {}

  async receive(merchantId: string, raw: Buffer, signature: string | undefined): Promise<FraudAnswer> {
    const secret = await this.settings.fraudWebhookSecret(merchantId);
    const check = secret ? verifySignature({ payload: raw, header: signature, secret, tolerance: SIGNATURE_TOLERANCE_SECONDS }) : { ok: false as const, reason: 'no fraud webhook secret for this merchant' };
    if (!check.ok) return refused(400, ErrorCode.WEBHOOK_SIGNATURE_INVALID, `The signature does not verify (${check.reason}); nothing was recorded.`);
    const d = readFraudDecision(raw);
    if ('status' in d) return d;
    const intent = await this.intentOf(merchantId, d);
    if (!intent) {
      return d.paymentIntentId
        ? refused(404, ErrorCode.PAYMENT_INTENT_NOT_FOUND, `Payment intent ${d.paymentIntentId} was not found.`)
        : refused(404, ErrorCode.CHECKOUT_SESSION_NOT_FOUND, `Checkout session ${d.checkoutSessionId} has no payment.`);
    }
    const answer = (status: string) => ({ status: 200, body: { received: true, status, decision: d.decision, payment_intent_id: intent.id, checkout_id: intent.checkoutSessionId } });
    try {
      if (d.decision === 'block' && cancelable(intent.status)) {
        const message = 'The payment was refused by the fraud provider.';
        await this.commands.cancelForFraud(PROVIDER, intent.id, message, {
          before: async (manager, locked) => {
            await this.record(manager, merchantId, locked, d);
          },
          after: async (manager, locked) => {
            await manager.update(ManualReviewEntity, { paymentIntentId: locked.id, status: 'PENDING' }, {
              status: 'REJECTED', decidedAt: new Date(), decidedByKind: 'service', decidedById: 'fraud-provider', note: message,
            });
          },
        });
        return answer('canceled');
      }
      await this.dataSource.transaction(async (manager) => {
        const locked = await manager.findOneOrFail(PaymentIntentEntity, { where: { id: intent.id }, lock: { mode: 'pessimistic_write' } });
        const assessmentId = await this.record(manager, merchantId, locked, d);
        if (d.decision === 'review' && holdable(locked.status)) {
          await openReview(manager, { merchantId, checkoutSessionId: locked.checkoutSessionId, paymentIntentId: locked.id, assessmentId, reason: 'provider' });
        }
      });
      return answer(d.decision === 'review' && holdable(intent.status) ? 'in_review' : 'recorded');
    } catch (err) {
      if (err instanceof AlreadyRecorded) return answer('duplicate');
      throw err;
    }
  }

  /** The decision as an assessment (source PROVIDER); AlreadyRecorded when its event id was. */
  private async record(manager: EntityManager, merchantId: string, intent: PaymentIntentEntity, d: FraudDecision): Promise<string> {
    const action = ACTION[d.decision];
    const reasons: RiskReason[] = (d.reasons.length ? d.reasons : [`The fraud provider decided ${d.decision}.`]).map((message) => ({
      ruleId: null,
      code: `provider:${d.decision}`,
      message,
      points: 0,
      action,
    }));
    const row = await insertAssessment(manager, {
      merchantId,
      checkoutSessionId: intent.checkoutSessionId,
      paymentIntentId: intent.id,
      source: 'PROVIDER',
      result: { score: d.score ?? 0, action, reasons, ruleIds: [] },
      signals: null,
      providerEventId: d.eventId,
    });
    if (!row) throw new AlreadyRecorded();
    return row.id;
  }

  /** The merchant's intent the decision names (by id, or its session's). */
  private async intentOf(merchantId: string, d: FraudDecision): Promise<PaymentIntentEntity | null> {
    const repo = this.dataSource.getRepository(PaymentIntentEntity);
    if (d.paymentIntentId) return repo.findOneBy({ id: d.paymentIntentId, merchantId });
    return repo.findOne({ where: { checkoutSessionId: d.checkoutSessionId!, merchantId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }
}

/** A payment a block can still stop (nothing captured, nothing in flight at the PSP). */
const cancelable = (s: S) => s === S.REQUIRES_PAYMENT_METHOD || s === S.REQUIRES_CONFIRMATION || s === S.REQUIRES_ACTION || s === S.REQUIRES_CAPTURE;
/** A payment a review can still hold (not captured, not canceled). */
const holdable = (s: S) => s !== S.SUCCEEDED && s !== S.CANCELED;
