// What happens to a conversion after it is recorded: refunds (full → CLAWED_BACK with reversal
// entries; partial → a percentage commission falls pro rata), disputes (opened → DISPUTED;
// won → back where it was; lost → CLAWED_BACK), and merchant milestones along the flow.
import { badUserInput, boundedText, invalidStateTransition, requireKind, type IdempotencyCodec, type IdempotencyStore, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { isAttributed, paymentKey, type PspEventPayload } from '../payment-events/psp-event.js';
import { ConversionEntity } from './conversion.entity.js';
import { ConversionStatus } from './conversion.enums.js';
import { mayRecordMilestone } from './conversion.access.js';
import { conversionNotFound, invalidMilestone } from './conversion.errors.js';
import { RECURRING_NO_COMMISSION, type Notifier } from './conversion-recorder.service.js';
import { clawBack, commissionAfterPartialRefund, lockConversion, moveStatus, rebookCommission, saveAndAnnounce } from './conversion.store.js';
import { LIVE_STATUSES } from './conversion.states.js';
import { conversionWebhookEvent, conversionWebhookObject, milestoneWebhookEvent } from './conversion.webhook-events.js';

/** A flow step's name is at most 64 characters (the merchant subgraph's bound on conversionFlow.steps). */
const MAX_STEP_LENGTH = 64;

export interface MilestoneSpec {
  step: string;
  status: string;
  metadata?: Record<string, unknown> | null;
}

/** The refund or dispute arrived before the payment's conversion: the job retries until it exists. */
export class ConversionNotYetRecorded extends Error {}

/** A replay answers the conversion as it is now (like reportConversion). */
const milestoneCodec: IdempotencyCodec<ConversionEntity> = {
  toStored: (c) => ({ id: c.id }),
  fromStored: (s: { id: string }, m) => m.findOneByOrFail(ConversionEntity, { id: s.id }),
};

const CLOSED = [ConversionStatus.CLAWED_BACK, ConversionStatus.REJECTED];

export class ConversionLifecycle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Notifier,
    private readonly idempotency: IdempotencyStore,
  ) {}

  /** From `psp_event.refunded`: the cumulative refunded amount decides (out-of-order events converge). */
  applyRefund(p: PspEventPayload): Promise<string> {
    return this.onPaymentEvent(p, async (manager, c) => {
      const reported = p.object.amountRefunded ?? c.refundedMinor + (p.object.refund?.amount ?? 0);
      if (reported <= c.refundedMinor) return 'no_change';
      c.refundedMinor = Math.min(reported, c.transactionValueMinor);
      if (CLOSED.includes(c.status)) return 'closed';
      if (c.refundedMinor >= c.transactionValueMinor) {
        await clawBack(manager, c, `full refund (${p.pspEvent.id})`);
        return 'clawed_back';
      }
      await rebookCommission(manager, c, commissionAfterPartialRefund(c, c.refundedMinor), `partial refund (${p.pspEvent.id})`);
      return 'partially_refunded';
    });
  }

  /** From `psp_event.dispute_opened` / `dispute_closed`. */
  applyDispute(p: PspEventPayload, opened: boolean): Promise<string> {
    return this.onPaymentEvent(p, async (manager, c) => {
      if (CLOSED.includes(c.status)) return 'closed';
      if (opened) {
        if (c.status === ConversionStatus.DISPUTED) return 'no_change';
        c.statusBeforeDispute = c.status;
        moveStatus(c, ConversionStatus.DISPUTED);
        return 'disputed';
      }
      const outcome = p.object.dispute?.outcome ?? (p.object.dispute?.status === 'won' ? 'won' : p.object.dispute?.status === 'lost' ? 'lost' : undefined);
      if (outcome === 'lost') {
        await clawBack(manager, c, `dispute lost (${p.pspEvent.id})`);
        return 'clawed_back';
      }
      if (outcome === 'won' && c.status === ConversionStatus.DISPUTED) {
        moveStatus(c, c.statusBeforeDispute ?? ConversionStatus.PENDING);
        c.statusBeforeDispute = null;
        return 'restored';
      }
      return 'no_change';
    });
  }

  /** Merchant (or admin): a step of the conversion's flow, in order; the payableAfter step gates PAYABLE. */
  async recordMilestone(principal: Principal, conversionId: string, input: MilestoneSpec, idempotencyKey?: string | null): Promise<ConversionEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    if (input.status !== 'completed' && input.status !== 'failed') throw badUserInput('status', 'must be "completed" or "failed".');
    boundedText(input.step, 'step', MAX_STEP_LENGTH);
    if (input.metadata !== undefined && input.metadata !== null && (typeof input.metadata !== 'object' || Array.isArray(input.metadata))) {
      throw badUserInput('metadata', 'must be a JSON object.');
    }
    if (JSON.stringify(input.metadata ?? {}).length > 8192) throw badUserInput('metadata', 'must be at most 8 KB of JSON.');
    // Under a key: same key and input answer the first result without a second milestone; the
    // key's lock serialises concurrent duplicates; another input is IDEMPOTENCY_KEY_REUSED.
    const request = { conversionId, step: input.step, status: input.status, metadata: input.metadata ?? null };
    const result = await this.idempotency.run({ principal, key: idempotencyKey, operation: 'recordMilestone', input: request }, async (manager) => {
      const c = await lockConversion(manager, conversionId);
      if (!c || !mayRecordMilestone(p, c)) throw conversionNotFound(conversionId);
      const index = c.flowSteps.indexOf(input.step);
      if (index < 0) throw invalidMilestone(`"${input.step}" is not a step of the ${c.flowType} flow (${c.flowSteps.join(', ')}).`, 'not_in_flow');
      if (CLOSED.includes(c.status)) throw invalidStateTransition(`A ${c.status} conversion takes no milestones.`, `conversion:${c.status}`);
      const done: Array<{ step: string }> = await manager.query(
        `SELECT step FROM ledger.conversion_milestones WHERE conversion_id = $1 AND status = 'completed'`,
        [c.id],
      );
      const completed = new Set(done.map((d) => d.step));
      if (completed.has(input.step)) throw invalidMilestone(`"${input.step}" is already completed.`, 'already_completed');
      const missing = c.flowSteps.slice(0, index).filter((s) => !completed.has(s));
      if (missing.length > 0) throw invalidMilestone(`"${input.step}" comes after ${missing.join(', ')}.`, 'out_of_order');
      const milestone = { id: ulid(), step: input.step, stepIndex: index, status: input.status, metadata: input.metadata ?? null };
      const [recorded] = (await manager.query(
        `INSERT INTO ledger.conversion_milestones (id, conversion_id, step, step_index, status, metadata) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         RETURNING recorded_at`,
        [milestone.id, c.id, input.step, index, input.status, input.metadata ? JSON.stringify(input.metadata) : null],
      )) as Array<{ recorded_at: Date }>;
      if (input.status === 'completed' && input.step === c.payableAfter) c.payableSince = new Date();
      return saveAndAnnounce(manager, c, (saved) => [milestoneWebhookEvent(saved, { ...milestone, recordedAt: recorded!.recorded_at })]);
    }, milestoneCodec);
    this.outbox.notify();
    return result;
  }

  private async onPaymentEvent(
    p: PspEventPayload,
    apply: (manager: EntityManager, c: ConversionEntity) => Promise<string>,
  ): Promise<string> {
    const key = paymentKey(p);
    const found = await this.dataSource.getRepository(ConversionEntity).findOneBy({ paymentKey: key });
    if (!found) {
      if (!isAttributed(p.object)) return 'not_attributed';
      // A subscription's period that earned no commission: nothing to claw back or dispute.
      const uncommissioned = await this.dataSource.query(`SELECT 1 FROM ledger.uncommissioned_payments WHERE payment_key = $1`, [key]);
      if (uncommissioned.length > 0) return RECURRING_NO_COMMISSION;
      throw new ConversionNotYetRecorded(`no conversion yet for payment ${key}`);
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const claimed = await manager.query(
        `INSERT INTO ledger.psp_events_applied (provider, event_id, topic, conversion_id, outcome) VALUES ($1, $2, $3, $4, 'pending')
         ON CONFLICT DO NOTHING RETURNING 1`,
        [p.provider, p.pspEvent.id, p.pspEvent.type, found.id],
      );
      if (claimed.length === 0) return 'duplicate_event';
      const c = (await lockConversion(manager, found.id))!;
      const before = JSON.stringify(c);
      const shownBefore = conversionWebhookObject(c);
      const wasClawedBack = c.status === ConversionStatus.CLAWED_BACK;
      const result = await apply(manager, c);
      if (JSON.stringify(c) !== before) {
        // A full refund or a lost dispute: the merchant's conversion.clawed_back.
        const clawedBack = !wasClawedBack && c.status === ConversionStatus.CLAWED_BACK;
        await saveAndAnnounce(manager, c, (saved) => (clawedBack ? [conversionWebhookEvent('conversion.clawed_back', saved, shownBefore)] : []));
      }
      await manager.query(`UPDATE ledger.psp_events_applied SET outcome = $3 WHERE provider = $1 AND event_id = $2`, [p.provider, p.pspEvent.id, result]);
      return result;
    });
    this.outbox.notify();
    return outcome;
  }
}

export { LIVE_STATUSES };
