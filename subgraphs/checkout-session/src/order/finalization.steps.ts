// The finalization saga's local steps (seed 003 §8, DESIGN "Orders and finalization"): each names
// what it does when a checkout is finalized and its undo when the finalization is rolled back.
// Both run inside the finalization's (or the rollback's) transaction, under the session's row
// lock, so a step that refuses (a HandoffError) leaves nothing written, and a step runs once per
// order whatever races meet it. A rollback's undos run in its job (finalization-jobs.service.ts),
// each step in a transaction of its own, recorded on the order once done: a step that throws is
// retried by the job, and a retried or concurrent job never undoes a step twice. The payment is
// not a step here: it is captured or authorised before finalization (checked, not moved), and
// voided or refunded by the rollback job after the local undos commit (finalization.job.ts), since it is another package's call.
//
// Steps of other concepts plug in here (`finalizationSteps`): the inventory reservation is
// converted / released, gift-card holds are captured / released, when those concepts exist.
import type { EntityManager } from 'typeorm';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { TimelineEntryDraft } from '../timeline/timeline.entries.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { anyHeld, captureHolds, releaseHolds, restoreCapturedHolds, type TenderHold } from '../tender/tender-holds.js';

/** What a step did, for the order's record and the session's timeline; null: nothing to do for this session. */
export interface StepOutcome {
  /** One line a person reads ("Inventory reservation resv_… converted"). */
  summary: string;
  detail: Record<string, unknown>;
  /** Timeline entries of the step's own (finalize only), written with the order's in one statement. */
  timeline?: TimelineEntryDraft[];
}

export interface FinalizationStep {
  /** Stable, snake_case: `inventory_reservation`, `gift_cards`. */
  readonly name: string;
  /**
   * Optional: what the step reads before the finalization's transaction (no lock held, beside its
   * other reads), handed to `finalize` as `prepared`: a hint only, which finalize re-checks under the lock.
   */
  prepare?(manager: EntityManager, session: CheckoutSessionEntity): Promise<unknown>;
  finalize(manager: EntityManager, session: CheckoutSessionEntity, orderId: string, prepared?: unknown): Promise<StepOutcome | null>;
  compensate(manager: EntityManager, session: CheckoutSessionEntity, orderId: string): Promise<StepOutcome | null>;
}

/** The steps every finalization runs, in order (their undos run in reverse). */
export function finalizationSteps(extra: readonly FinalizationStep[] = []): FinalizationStep[] {
  return [tenderHoldsStep, ...extra];
}

const total = (holds: readonly TenderHold[]) => holds.reduce((s, h) => s + h.amountMinor, 0);

/**
 * Gift cards and store credit (tender/tender-holds.ts): finalization captures the session's holds
 * (idempotent: a payment that captured them already leaves nothing to move); a rollback gives
 * back what is still held AND what was captured (by the payment or by finalization): each amount
 * back on its card or credit, the ledger's redemption reversed. Both in the saga's transaction;
 * each hold moves once, whatever retries or concurrent rollbacks meet it.
 */
export const tenderHoldsStep: FinalizationStep = {
  name: 'tender_holds',
  // Before the lock, for a session read COMPLETE (a status nothing leaves; a hold is only added
  // while the session is OPEN, under its lock, and nothing makes a hold `held` again): none held
  // then means none held under the lock, and finalize skips its UPDATE. Null: not known, finalize captures.
  prepare: async (manager, session) => (session.status === CheckoutSessionStatus.COMPLETE ? { noneHeld: !(await anyHeld(manager, session.id)) } : null),
  async finalize(manager, session, _orderId, prepared) {
    if ((prepared as { noneHeld?: boolean } | null | undefined)?.noneHeld) return null;
    const holds = await captureHolds(manager, session.id);
    if (holds.length === 0) return null;
    return { summary: `Gift card / store credit holds captured: ${holds.length}`, detail: { hold_ids: holds.map((h) => h.id), amount: holds.reduce((s, h) => s + h.amountMinor, 0) } };
  },
  async compensate(manager, session, orderId) {
    const released = await releaseHolds(manager, session.id, `rollback of order ${orderId}`);
    const restored = await restoreCapturedHolds(manager, session.id, `rollback of order ${orderId}`);
    if (released.length === 0 && restored.length === 0) return null;
    const parts = [
      ...(released.length ? [`${released.length} held released`] : []),
      ...(restored.length ? [`${restored.length} captured restored (${total(restored)} minor units back on cards and store credit)`] : []),
    ];
    return {
      summary: `Gift card / store credit: ${parts.join(', ')}`,
      detail: {
        hold_ids: [...released, ...restored].map((h) => h.id),
        released_hold_ids: released.map((h) => h.id),
        restored_hold_ids: restored.map((h) => h.id),
        amount: total(released) + total(restored),
        restored_amount: total(restored),
        restored: restored.map((h) => ({ hold_id: h.id, kind: h.kind, gift_card_id: h.giftCardId, customer_id: h.customerId, amount: h.amountMinor, currency: h.currency })),
      },
    };
  },
};
