// The authoritative calculation of a checkout session (seed 003 §4): calculate prices the
// session as it is through CalculationService, appends the snapshot and makes it the session's
// current one (calculation id, totals, stale flag cleared) in one transaction with the versioned
// save (a recalculation to the same totals: in one statement, recalculation.ts); current reads the snapshot the totals come from (the one calculate just wrote is kept with
// the session it answers, so the answer's `calculation` is not read back); validate is a fresh pass
// that writes nothing.
import { versionConflict, type Principal } from '@handoff/shared';
import type { CalculationService, PreparedCalculation, StoredCalculation } from '../calculation/index.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import type { CheckoutSessionService } from '../checkout-session/checkout-session.service.js';
import { assertBuyerCanChange, checkedExpectedVersion, type SessionChanger } from '../session-change/session-change.js';
import { sameTotals, saveRecalculation } from './recalculation.js';
import { blockerOf, type CheckoutValidation } from './session-calculation.type.js';
import { sessionPricingInput, type PricingOverrides } from './session-pricing.js';

export class SessionCalculationService {
  /** The snapshot calculate stored, by the session object it answered. */
  private readonly written = new WeakMap<CheckoutSessionEntity, StoredCalculation>();

  constructor(
    private readonly changer: SessionChanger,
    private readonly sessions: CheckoutSessionService,
    readonly calculations: CalculationService,
  ) {}

  /** The session as the engine prices it (its lines read now). */
  async pricingInput(cs: CheckoutSessionEntity, overrides: PricingOverrides = {}) {
    const [lines] = await this.sessions.lineItemsOf([cs.id]);
    return sessionPricingInput(cs, lines ?? [], overrides);
  }

  /** Prices the session, stores the snapshot and makes it current; PROVIDER_UNAVAILABLE / SERVICE_UNAVAILABLE → nothing written. */
  async calculate(principal: Principal, id: string, expectedVersion: number | null | undefined, key?: string): Promise<CheckoutSessionEntity> {
    // The hot path: the session and its lines in one read; a recalculation to the same totals is
    // one statement (recalculation.ts). Anything else (or an idempotency key) is the changer's.
    let first: { version: number; prepared: PreparedCalculation } | undefined;
    if (!key) {
      const expected = checkedExpectedVersion(expectedVersion);
      const read = await this.changer.loadWithLines(principal, id);
      if (expected !== null && expected !== read.cs.version) throw versionConflict(expected, read.cs.version);
      assertBuyerCanChange(read.cs);
      const prepared = await this.calculations.compute(sessionPricingInput(read.cs, read.lines));
      if (sameTotals(read.cs, prepared)) {
        const stored = await saveRecalculation(this.changer.manager, read.cs, prepared);
        if (stored) {
          this.written.set(read.cs, stored);
          return read.cs;
        }
      } else {
        first = { version: read.cs.version, prepared };
      }
    }
    let stored: StoredCalculation | undefined;
    const saved = await this.changer.change(principal, id, expectedVersion, async (cs) => {
      // Priced just now at this very version: not priced again.
      const prepared = first?.version === cs.version ? first.prepared : await this.calculations.compute(await this.pricingInput(cs));
      first = undefined;
      const t = prepared.calculation.totals;
      return {
        changes: {
          calculationStale: false,
          subtotalMinor: t.subTotal,
          discountMinor: t.discountTotal,
          taxMinor: t.taxTotal,
          shippingMinor: t.shippingTotal,
          totalMinor: t.grandTotal,
        },
        write: async (manager) => {
          stored = await this.calculations.store(manager, prepared);
          return { calculationId: stored.id };
        },
      };
    }, { key, operation: 'calculateCheckout', input: null });
    // The last write is the committed one (a conflicted attempt's is written again); an answer
    // replayed for an idempotency key names another snapshot and is read as usual.
    if (stored && saved.calculationId === stored.id) this.written.set(saved, stored);
    return saved;
  }

  /** The snapshot the session's totals come from, or null before the first calculation. */
  async current(cs: CheckoutSessionEntity): Promise<StoredCalculation | null> {
    if (!cs.calculationId) return null;
    const written = this.written.get(cs);
    return written?.id === cs.calculationId ? written : this.calculations.get(cs.calculationId);
  }

  /** The blockers of the session as it is now (a fresh calculation, compared with the current one); writes nothing. */
  async validate(cs: CheckoutSessionEntity): Promise<CheckoutValidation> {
    const { valid, blockers } = await this.calculations.validate(await this.pricingInput(cs));
    return { valid, blockers: blockers.map(blockerOf) };
  }
}
