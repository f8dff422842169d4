// Seed 003's PATCH, DELETE and refresh of a checkout session, in GraphQL:
//   update(id, expectedVersion, input)   metadata, owner, channel, cart, capture mode, billing
//       requirement, and the lines (replaced while OPEN and not paying; the calculation becomes
//       stale). A stale expectedVersion → VERSION_CONFLICT, nothing written (the versioned save of
//       SessionChanger: WHERE version = expected).
//   cancel(id, expectedVersion, releaseInventory)   OPEN → CANCELED, its promotion uses given back,
//       its checkout_session.canceled event and the merchant's webhook_event.checkout.canceled, in one transaction; then its open payment intent is canceled (as expiry does). With
//       releaseInventory (the default) its inventory reservation is released in the same transaction; without, it is left to expire.
//   refresh(id)   recalculates the session when its calculation is stale or missing.
// Each takes the request's idempotency key (SessionChanger.idempotently): a retry changes nothing twice.
import { badUserInput, invalidStateTransition, versionConflict, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { releasePromotions } from '../promotion/promotion.redemption.js';
import { table, type OutboxNotifier } from '../events.js';
import { scopeCheckoutSessions } from '../checkout-session/checkout-session.access.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutMode, CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { assertSubscriptionLines } from '../subscription-lines/subscription-lines.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import type { LineCatalog } from '../checkout-session/line-catalog.js';
import { insertLineRows, lineRowsOf } from '../checkout-session/checkout-session.service.js';
import type { CheckoutLifecycleService } from '../checkout-session/checkout-session.lifecycle.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { transitionCheckoutSession } from '../checkout-session/checkout-session.transition.js';
import { validateCreateCheckoutSession, validateMetadata, type LineItemDraft, type LineItemInputSpec } from '../checkout-session/checkout-session.validation.js';
import { checkoutSessionExpired, type SessionChanger } from '../session-change/session-change.js';
import type { ReservationService } from '../reservation/reservation.service.js';
import type { SessionCalculationService } from '../session-calculation/session-calculation.service.js';
import { isCommittedToPay } from './lifecycle-status.js';
import { releaseHolds } from '../tender/tender-holds.js';
import { checkTerms, termsOf, writeTerms, type TermsSpec } from './session-terms.js';

export interface UpdateCheckoutSessionSpec extends TermsSpec {
  metadata?: unknown;
  lineItems?: LineItemInputSpec[] | null;
}

const requireVersion = (v: unknown): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw badUserInput('expectedVersion', 'must be a positive integer.');
  return v;
};

/** Replaces the session's lines (positions from 0) in the caller's transaction. */
async function replaceLines(manager: EntityManager, sessionId: string, lines: LineItemDraft[]): Promise<void> {
  await manager.query(`DELETE FROM ${table('checkout_line_items')} WHERE checkout_session_id = $1`, [sessionId]);
  await manager.query(insertLineRows('$1', '$2'), [sessionId, lineRowsOf(lines)]);
}

export class CheckoutUpdateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changer: SessionChanger,
    private readonly calculation: SessionCalculationService,
    private readonly lifecycle: CheckoutLifecycleService,
    private readonly catalog: LineCatalog,
    private readonly outbox: OutboxNotifier,
    private readonly inventory?: Pick<ReservationService, 'releaseForSession'>,
  ) {}

  async update(principal: Principal, id: string, expectedVersion: number, input: UpdateCheckoutSessionSpec, key?: string): Promise<CheckoutSessionEntity> {
    const expected = requireVersion(expectedVersion);
    if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
    // Every check that needs no database first: bad input writes nothing.
    const terms = checkTerms(input);
    const metadata = input.metadata === undefined || input.metadata === null ? undefined : validateMetadata(input.metadata);
    const draft = input.lineItems === undefined || input.lineItems === null ? null : validateCreateCheckoutSession({ lineItems: input.lineItems });
    return this.changer.change(principal, id, expected, async (cs) => {
      let lines: LineItemDraft[] | null = null;
      if (draft) {
        if (draft.currency !== cs.currency) throw badUserInput('input.lineItems', `must be in the session's currency (${cs.currency}, not ${draft.currency}).`);
        if (cs.aapCode) {
          throw invalidStateTransition("An agent's checkout keeps its lines: its attribution code binds the amount.", 'checkout_session:attributed');
        }
        const [t] = await termsOf(this.dataSource.manager, [cs.id]);
        if (isCommittedToPay(cs, t ?? null)) {
          throw invalidStateTransition('The session is being paid: its lines can no longer change.', 'checkout_session:payment_processing');
        }
        lines = await this.catalog.resolve(cs.merchantId, draft.lineItems, [], { recurringFromOffers: cs.mode === CheckoutMode.SUBSCRIPTION });
        assertSubscriptionLines(cs.mode, lines);
      }
      return {
        changes: draft
          ? { calculationStale: true, subtotalMinor: draft.subtotal.amountMinor, discountMinor: 0, taxMinor: 0, shippingMinor: 0, totalMinor: draft.total.amountMinor }
          : {},
        write: async (manager) => {
          if (metadata !== undefined) await manager.query(`UPDATE ${table('checkout_sessions')} SET metadata = $2::jsonb WHERE id = $1`, [cs.id, JSON.stringify(metadata)]);
          if (Object.keys(terms).length > 0) await writeTerms(manager, cs.id, terms);
          if (lines) await replaceLines(manager, cs.id, lines);
          if (metadata !== undefined) cs.metadata = metadata;
        },
      };
    }, { key, operation: 'updateCheckoutSession', input });
  }

  async cancel(principal: Principal, id: string, expectedVersion: number | null | undefined, releaseInventory: boolean, key?: string): Promise<CheckoutSessionEntity> {
    const expected = expectedVersion === null || expectedVersion === undefined ? null : requireVersion(expectedVersion);
    const idempotent = { key, operation: 'cancelCheckoutSession', input: { expectedVersion: expected, releaseInventory } };
    return this.changer.idempotently(principal, id, idempotent, async (record) => {
      const cs = await this.dataSource.transaction((manager) => record(manager, () => this.cancelOpen(manager, principal, id, expected, releaseInventory)));
      this.outbox.notify();
      // Canceling its payment intents records that on the session (a new version): answer it as it now is.
      if (await this.lifecycle.cancelIntents(cs)) return (await this.dataSource.manager.findOneBy(CheckoutSessionEntity, { id: cs.id })) ?? cs;
      return cs;
    });
  }

  /** OPEN → CANCELED (locked, in the caller's transaction), its promotion uses given back. */
  private async cancelOpen(manager: EntityManager, principal: Principal, id: string, expected: number | null, releaseInventory: boolean): Promise<CheckoutSessionEntity> {
    const qb = manager.getRepository(CheckoutSessionEntity).createQueryBuilder('cs').where('cs.id = :id', { id }).setLock('pessimistic_write');
    scopeCheckoutSessions(qb, 'cs', principal);
    const found = await qb.getOne();
    if (!found) throw checkoutSessionNotFound(id);
    if (expected !== null && expected !== found.version) throw versionConflict(expected, found.version);
    const status = effectiveStatus(found);
    if (status === CheckoutSessionStatus.EXPIRED) throw checkoutSessionExpired(id);
    if (status !== CheckoutSessionStatus.OPEN) {
      throw invalidStateTransition(`Only an OPEN checkout session can be canceled; this one is ${status}.`, `checkout_session:${status}->CANCELED`);
    }
    // Its checkout.canceled goes with its checkout_session.canceled (transitionCheckoutSession).
    await transitionCheckoutSession(manager, found, CheckoutSessionStatus.CANCELED);
    await releasePromotions(manager, found.id);
    await releaseHolds(manager, found.id, 'checkout canceled');
    if (releaseInventory) await this.inventory?.releaseForSession(manager, found.id, 'checkout canceled');
    return found;
  }

  /** Recalculates when the calculation is stale or missing; otherwise the session as it is. */
  async refresh(principal: Principal, id: string, key?: string): Promise<CheckoutSessionEntity> {
    const cs = await this.changer.load(principal, id);
    if (!cs.calculationStale && cs.calculationId) return cs;
    return this.calculation.calculate(principal, id, null, key);
  }
}
