// Writes of one conversion inside a command's transaction: lock, move status by the table,
// book or re-book its commission, save with a new version and announce it.
import { assertTransition, money, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { commissionEntries, originalTransactionId, postTransaction, reverseConversion, type CommissionParts } from '../books/ledger.js';
import { commissionAfterRefund, splitCommission, type CommissionTerms } from '../commission/commission.js';
import { ConversionEntity } from './conversion.entity.js';
import { ConversionStatus } from './conversion.enums.js';
import { emitConversionUpdated } from './conversion.events.js';
import { conversionStates } from './conversion.states.js';

export const lockConversion = (manager: EntityManager, id: string): Promise<ConversionEntity | null> =>
  manager.findOne(ConversionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });

export const termsOf = (c: ConversionEntity): CommissionTerms => ({
  type: c.commissionType,
  cpaMinor: c.cpaMinor,
  percentageBps: c.percentageBps,
});

export const partsOf = (c: ConversionEntity): CommissionParts => ({
  commissionMinor: c.commissionMinor,
  networkFeeMinor: c.networkFeeMinor,
  builderPayoutMinor: c.builderPayoutMinor,
  unclaimedMinor: c.unclaimedMinor,
  forfeitedMinor: c.forfeitedMinor,
});

const parties = (c: ConversionEntity) => ({ merchantId: c.merchantId, agentId: c.agentId, builderId: c.builderId });

/** The parts of `amountMinor` for this conversion's state: registered builder, held, or already forfeited. */
export function partsFor(c: ConversionEntity, amountMinor: number): CommissionParts {
  const split = splitCommission(money(amountMinor, c.currency), c.builderId !== null);
  const forfeited = c.forfeitedMinor > 0 && c.builderId === null;
  return {
    commissionMinor: amountMinor,
    networkFeeMinor: split.networkFee.amountMinor,
    builderPayoutMinor: split.builderPayout.amountMinor,
    unclaimedMinor: forfeited ? 0 : split.unclaimed.amountMinor,
    forfeitedMinor: forfeited ? split.unclaimed.amountMinor : 0,
  };
}

function setParts(c: ConversionEntity, p: CommissionParts): void {
  c.commissionMinor = p.commissionMinor;
  c.networkFeeMinor = p.networkFeeMinor;
  c.builderPayoutMinor = p.builderPayoutMinor;
  c.unclaimedMinor = p.unclaimedMinor;
  c.forfeitedMinor = p.forfeitedMinor;
}

/** Books the conversion's commission (its first ledger transaction). */
export async function bookCommission(manager: EntityManager, c: ConversionEntity, memo = `${c.commissionType} commission`): Promise<void> {
  await postTransaction(manager, {
    kind: 'commission',
    currency: c.currency,
    conversionId: c.id,
    memo,
    entries: commissionEntries(parties(c), partsOf(c)),
  });
  c.commissionPosted = true;
}

/** Re-books the commission at `amountMinor`: an adjustment of the difference, linked to the original. */
export async function rebookCommission(manager: EntityManager, c: ConversionEntity, amountMinor: number, memo: string): Promise<void> {
  // Nothing booked (a flagged conversion): it holds no commission until approved, computed then.
  if (!c.commissionPosted) return;
  const next = partsFor(c, amountMinor);
  await postTransaction(manager, {
    kind: 'adjustment',
    currency: c.currency,
    conversionId: c.id,
    reversesId: await originalTransactionId(manager, c.id),
    memo,
    entries: [...commissionEntries(parties(c), partsOf(c), -1), ...commissionEntries(parties(c), next)],
  });
  setParts(c, next);
}

/** The commission after a partial refund (percentage falls pro rata; CPA stays). */
export const commissionAfterPartialRefund = (c: ConversionEntity, refundedMinor: number): number =>
  commissionAfterRefund(termsOf(c), money(c.transactionValueMinor, c.currency), refundedMinor).amountMinor;

/** CLAWED_BACK: reverses everything booked for it. */
export async function clawBack(manager: EntityManager, c: ConversionEntity, memo: string): Promise<void> {
  assertTransition(conversionStates, c.status, ConversionStatus.CLAWED_BACK);
  if (c.commissionPosted) await reverseConversion(manager, c.id, c.currency, memo);
  setParts(c, { commissionMinor: 0, networkFeeMinor: 0, builderPayoutMinor: 0, unclaimedMinor: 0, forfeitedMinor: 0 });
  c.status = ConversionStatus.CLAWED_BACK;
}

/** Moves the conversion to `to` if the state table allows it, else INVALID_STATE_TRANSITION. */
export function moveStatus(c: ConversionEntity, to: ConversionStatus): void {
  assertTransition(conversionStates, c.status, to);
  c.status = to;
}

/**
 * Saves the changed row with the next version and writes `conversion.updated`, and the merchant's
 * webhook events `webhooks(c)` makes of the saved row (conversion.webhook-events.ts), if any.
 */
export async function saveAndAnnounce(
  manager: EntityManager,
  c: ConversionEntity,
  webhooks: (saved: ConversionEntity) => OutboxEvent[] = () => [],
): Promise<ConversionEntity> {
  c.version += 1;
  c.updatedAt = new Date();
  // One UPDATE of the locked row (save() would read it back first to compare).
  const { id, createdAt: _created, ...columns } = c;
  await manager.update(ConversionEntity, { id }, columns);
  await emitConversionUpdated(manager, [c.id], webhooks(c));
  return c;
}
