// Resolving a failed checkout (seed 003 §15's POST …/resolve), by its merchant or an admin. The
// session must have an open failure (else INVALID_STATE_TRANSITION, checkout_failure:none). What
// each action does, then the failure is resolved with the action, the note, the caller and the time:
//   retry_payment    an OPEN session gets new payment attempts (the count goes back to 0) and keeps
//                    its URL and client token; an EXPIRED one (its payment intent was canceled) is
//                    replaced by a new session with the same lines and terms, a fresh URL and client
//                    token (`replacement`; an agent's attributed session is not replaced).
//   apply_discount   applies `promotionCode` (PROMOTION_INVALID: nothing resolved), recalculates,
//                    and gives new payment attempts.
//   manual_override  admin only, a note required: the failure is marked resolved; nothing else changes.
//   cancel           an OPEN session is canceled (its promotion uses and payment intent released).
// With an Idempotency-Key a retry answers the first resolution and does nothing twice.
import {
  invalidStateTransition,
  requireKind,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Principal,
  knownActorOf,
} from '@handoff/shared';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { table } from '../events.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import type { CheckoutSessionService } from '../checkout-session/checkout-session.service.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import type { CheckoutUpdateService } from '../checkout-lifecycle/checkout-update.service.js';
import { termsOf } from '../checkout-lifecycle/session-terms.js';
import type { SessionCalculationService } from '../session-calculation/session-calculation.service.js';
import type { SessionPromotionService } from '../session-promotion/session-promotion.service.js';
import { resolveOpenFailure } from './failure-record.js';
import { CheckoutFailureEntity } from './remediation.entity.js';
import { checkResolve, type ResolveSpec } from './remediation.validation.js';

export interface ResolutionResult {
  session: CheckoutSessionEntity;
  failure: CheckoutFailureEntity;
  replacement: CheckoutSessionEntity | null;
}

interface StoredResolution {
  sessionId: string;
  failureId: string;
  replacementId: string | null;
}

const load = async (manager: EntityManager, s: StoredResolution): Promise<ResolutionResult> => ({
  session: await manager.findOneByOrFail(CheckoutSessionEntity, { id: s.sessionId }),
  failure: await manager.findOneByOrFail(CheckoutFailureEntity, { id: s.failureId }),
  replacement: s.replacementId ? await manager.findOneByOrFail(CheckoutSessionEntity, { id: s.replacementId }) : null,
});

const resolutionCodec: IdempotencyCodec<ResolutionResult> = {
  toStored: (r) => ({ sessionId: r.session.id, failureId: r.failure.id, replacementId: r.replacement?.id ?? null }),
  fromStored: (stored: StoredResolution, manager) => load(manager, stored),
};

const noOpenFailure = (id: string) => invalidStateTransition(`Checkout session ${id} has no open failure to resolve.`, 'checkout_failure:none');

export class ResolveService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly sessions: CheckoutSessionService,
    private readonly promotions: SessionPromotionService,
    private readonly calculations: SessionCalculationService,
    private readonly updates: CheckoutUpdateService,
  ) {}

  async resolve(principal: Principal, id: string, input: ResolveSpec, key?: string): Promise<ResolutionResult> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const checked = checkResolve(p, input);
    const actor = knownActorOf(p);
    return this.idempotency.prepared({ principal: p, key, operation: 'resolveCheckoutFailure', input: { id, ...checked } }, resolutionCodec, async (record) => {
      const cs = await this.sessions.findVisible(p, id);
      if (!cs) throw checkoutSessionNotFound(id);
      const open = await this.dataSource.manager.findOneBy(CheckoutFailureEntity, { checkoutSessionId: cs.id, resolvedAt: IsNull() });
      if (!open) throw noOpenFailure(cs.id);
      const status = effectiveStatus(cs);
      const ended = (verb: string) =>
        invalidStateTransition(`Checkout session ${cs.id} is ${status}: it cannot ${verb}.`, `checkout_session:${status}`);
      let detail: Record<string, unknown> | null = null;
      let replacement: CheckoutSessionEntity | null = null;
      let newAttempts = false;
      switch (checked.action) {
        case 'retry_payment':
          if (status === CheckoutSessionStatus.OPEN) newAttempts = true;
          else if (status === CheckoutSessionStatus.EXPIRED) {
            replacement = await this.replace(p, cs, open.id);
            detail = { replacementCheckoutSessionId: replacement.id };
          } else throw ended('be paid again');
          break;
        case 'apply_discount':
          if (status !== CheckoutSessionStatus.OPEN) throw ended('take a discount');
          await this.promotions.apply(p, cs.id, checked.promotionCode!);
          await this.calculations.calculate(p, cs.id, null);
          detail = { promotionCode: checked.promotionCode!.trim().toUpperCase() };
          newAttempts = true;
          break;
        case 'cancel':
          if (status === CheckoutSessionStatus.OPEN) await this.updates.cancel(p, cs.id, null, true);
          break;
        case 'manual_override':
          break;
      }
      const stored = await this.dataSource.transaction((manager) =>
        record(manager, async () => {
          const failure = await resolveOpenFailure(manager, cs.id, { resolution: checked.action, actor, note: checked.note, detail });
          if (!failure) throw noOpenFailure(cs.id); // resolved meanwhile by another request
          if (newAttempts) await manager.query(`UPDATE ${table('checkout_session_terms')} SET payment_attempts = 0 WHERE checkout_session_id = $1`, [cs.id]);
          return load(manager, { sessionId: cs.id, failureId: failure.id, replacementId: replacement?.id ?? null });
        }),
      );
      return stored;
    });
  }

  /** A new session with the expired one's lines and terms (one per failure: its create is idempotent on the failure). */
  private async replace(p: Principal & { kind: 'MERCHANT' | 'ADMIN' }, cs: CheckoutSessionEntity, failureId: string): Promise<CheckoutSessionEntity> {
    if (cs.aapCode) {
      throw invalidStateTransition("An agent's expired checkout is not replaced: its attribution code is bound to it.", 'checkout_session:attributed');
    }
    const [lines] = await this.sessions.lineItemsOf([cs.id]);
    const [terms] = await termsOf(this.dataSource.manager, [cs.id]);
    return this.sessions.create(
      p,
      {
        merchantId: cs.merchantId,
        currency: cs.currency,
        mode: cs.mode,
        lineItems: (lines ?? []).map((l) => ({
          name: l.name, unitAmount: { amountMinor: l.unitAmountMinor, currency: cs.currency }, quantity: l.quantity, offerId: l.offerId, taxCategory: l.taxCategory, sku: l.sku,
        })),
        successUrl: cs.successUrl,
        cancelUrl: cs.cancelUrl,
        customerEmail: cs.customerEmail,
        metadata: cs.metadata,
        ...(terms
          ? {
              captureMode: terms.captureMode,
              requireBillingAddress: terms.requireBillingAddress,
              channel: terms.channel,
              cartId: terms.cartId,
              owner: terms.ownerType ? { type: terms.ownerType, id: terms.ownerId } : null,
            }
          : {}),
      },
      `remediation-retry-${failureId}`,
    );
  }
}
