import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { tenderHoldsStep } from './finalization.steps.js';

/** A manager that answers `SELECT EXISTS … held` with `held` and an UPDATE … RETURNING with no rows, recording each statement. */
function fakeManager(held: boolean) {
  const statements: string[] = [];
  const manager = {
    query: async (sql: string) => {
      statements.push(sql);
      if (sql.includes('SELECT EXISTS')) return [{ held }];
      return [[], 0];
    },
  } as unknown as EntityManager;
  return { manager, statements };
}

const session = (status: CheckoutSessionStatus) => ({ id: 'cs_1', status }) as CheckoutSessionEntity;

describe('tender holds step', () => {
  it('a session read COMPLETE with no hold held: finalize captures nothing and sends no statement under the lock', async () => {
    const before = fakeManager(false);
    const prepared = await tenderHoldsStep.prepare!(before.manager, session(CheckoutSessionStatus.COMPLETE));
    expect(prepared).toEqual({ noneHeld: true });
    const under = fakeManager(false);
    expect(await tenderHoldsStep.finalize(under.manager, session(CheckoutSessionStatus.COMPLETE), 'ord_1', prepared)).toBeNull();
    expect(under.statements).toEqual([]);
  });

  it('a hold held, or a session not yet COMPLETE when read (a hold may still be added): finalize captures under the lock', async () => {
    const held = fakeManager(true);
    const withHold = await tenderHoldsStep.prepare!(held.manager, session(CheckoutSessionStatus.COMPLETE));
    expect(withHold).toEqual({ noneHeld: false });
    const open = fakeManager(false);
    const openPrepared = await tenderHoldsStep.prepare!(open.manager, session(CheckoutSessionStatus.OPEN));
    expect(openPrepared).toBeNull();
    expect(open.statements).toEqual([]);
    for (const prepared of [withHold, openPrepared, undefined]) {
      const under = fakeManager(false);
      await tenderHoldsStep.finalize(under.manager, session(CheckoutSessionStatus.COMPLETE), 'ord_1', prepared);
      expect(under.statements).toHaveLength(1);
      expect(under.statements[0]).toMatch(/UPDATE .*tender_holds.* SET status = 'captured'/);
    }
  });
});
