// Binding a checkout session's payment to its calculation (issue 18, part B2).
//
// A session is *priced* when it has a calculation, or when its merchant has any pricing
// configuration (shipping, tax, promotions or an HTTP provider): its payment is then always the
// grand total of its current calculation. An unpriced session (a merchant that configured
// nothing) pays its lines' total, as before.
//
// commit(sessionId, paymentIntentId): payment-intent asks this before it confirms an intent of a
// session (and before its amount is charged). One transaction, the session's row locked:
//   the session is OPEN and not past expiry (CHECKOUT_SESSION_EXPIRED / INVALID_STATE_TRANSITION),
//   the intent is the session's; a priced session has a current calculation, else
//   CALCULATION_STALE (nothing written), and that calculation has no blockers (address_invalid,
//   shipping_not_selected, promotion_invalid…), else CHECKOUT_NOT_READY listing them (nothing
//   written: a session that needs shipping is never paid without it); the calculation's promotion uses are taken
//   (redeemPromotions: PROMOTION_INVALID when one is used up, then the whole transaction rolls
//   back and the calculation is marked stale, so the buyer recalculates without it); the
//   commitment is recorded (calculation, amount, time) and the session's version moves on; a first
//   commitment (or one to other terms) writes its audit row and its timeline entry.
// The merchant's payment rules are checked under the same lock before anything is written
// (payment-rules.ts): max payment attempts (PAYMENT_ATTEMPTS_EXCEEDED), the payment methods it
// takes per country (CHECKOUT_NOT_READY, payment_method_not_supported) and its transaction limits
// (TRANSACTION_LIMIT_EXCEEDED); each commitment counts one attempt. A CHECKOUT_NOT_READY refusal
// is recorded as the checkout's failure (remediation: validation, or inventory_shortfall).
// It answers the amount, currency and capture mode the intent must have: payment-intent updates
// the intent's amount when the calculation changed after the intent was created (Stripe's
// "update the PaymentIntent before confirming"), then confirms.
// An agent's checkout (a session with an AAP code): when the amount committed to is not the one
// its code binds (the buyer chose shipping or a promotion after the agent's checkout), the code is
// re-issued for it under the same lock (same claims, the new amount, a new signature, the same
// identity: agent-checkout/attribution.ts) and stored on the session; the answer carries it
// (`aapCode`) so payment-intent puts it in the intent's aap_* metadata before it confirms.
import { DEFAULT_CHECKOUT_RULES, ErrorCode, HandoffError, invalidStateTransition, money, type AttributionSigner, type CheckoutPricingConfig, type Logger, serviceActor, type Actor } from '@handoff/shared';
import type { SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { chargedAtCheckout, subscriptionPlanOf } from '../subscription-lines/subscription-lines.js';
import type { Blocker, CalculationService } from '../calculation/index.js';
import { table } from '../events.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { saveCheckoutSessionVersioned } from '../checkout-session/checkout-session.transition.js';
import { checkoutSessionExpired } from '../session-change/session-change.js';
import type { CaptureModeValue } from './session-terms.entity.js';
import { termsOf, termsOrDefault, writeTerms } from './session-terms.js';
import { assertWithinLimits, attemptsExceeded, paymentAttemptsExceeded, paymentCountryOf, paymentMethodBlocker } from './payment-rules.js';
import { recordFailure, refusalFailure } from '../remediation/failure-record.js';
import { checkoutAudit } from '../checkout-session/checkout.audit.js';
import { reissueAttribution } from '../agent-checkout/attribution.js';
import { paymentCommittedEntry } from '../timeline/timeline.entries.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { activeHolds, heldTotal } from '../tender/tender-holds.js';
import { assertNotSplitAtPayment } from '../tender/tender-capabilities.js';

export interface CheckoutPaymentTerms {
  checkoutSessionId: string;
  amountMinor: number;
  currency: string;
  captureMode: CaptureModeValue;
  /** Null for an unpriced session. */
  calculationId: string | null;
  /** An agent's checkout: its AAP code, binding `amountMinor` (re-issued when the amount changed); null otherwise. */
  aapCode: string | null;
  /** A SUBSCRIPTION session's plan (subscription-lines/): payment-intent creates the billing subscription from it; null otherwise. */
  subscription: SubscriptionPlanTerms | null;
  /** The session's customer email now (payment-intent keeps it as the intent's receipt_email); null when not given. */
  customerEmail: string | null;
}

export const calculationStale = (id: string, why: 'missing' | 'stale') =>
  new HandoffError(
    ErrorCode.CALCULATION_STALE,
    why === 'missing'
      ? `Checkout session ${id} has not been calculated: calculate it, then pay.`
      : `Checkout session ${id} changed since its calculation: recalculate it, then pay.`,
    { reason: `calculation:${why}` },
  );

/** What a blocker says in CHECKOUT_NOT_READY's `blockers` extension. */
export type NotReadyBlocker = Pick<Blocker, 'code' | 'message'> & Partial<Pick<Blocker, 'promotionCode' | 'reason' | 'lineId'>>;

/** CHECKOUT_NOT_READY: the calculation to pay has blockers; the message and `blockers` list them. */
export const checkoutNotReady = (id: string, blockers: readonly Blocker[]) =>
  new HandoffError(
    ErrorCode.CHECKOUT_NOT_READY,
    `Checkout session ${id} cannot be paid yet: ${blockers.map((b) => `${b.code} (${b.message})`).join('; ')}`,
    {
      reason: 'checkout:not_ready',
      blockers: blockers.map(
        (b): NotReadyBlocker => ({
          code: b.code,
          message: b.message,
          ...(b.promotionCode ? { promotionCode: b.promotionCode } : {}),
          ...(b.reason ? { reason: b.reason } : {}),
          ...(b.lineId ? { lineId: b.lineId } : {}),
        }),
      ),
    },
  );

/** Whether the merchant configured anything that prices a checkout beyond its lines. */
export function hasPricingConfig(config: CheckoutPricingConfig): boolean {
  const p = config.providers;
  return (
    config.shipping.zones.length > 0 ||
    config.shipping.pickupLocations.length > 0 ||
    config.tax.rates.length > 0 ||
    config.promotions.length > 0 ||
    [p.tax, p.shipping, p.promotions].some((x) => x.kind === 'HTTP')
  );
}

/** CALCULATION_STALE unless the session (already read) may be paid at its current calculation; null when it is unpriced. */
export async function assertCurrentCalculation(
  cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId' | 'calculationId' | 'calculationStale'>,
  pricing: MerchantPricingPort,
): Promise<string | null> {
  if (cs.calculationId) {
    if (cs.calculationStale) throw calculationStale(cs.id, 'stale');
    return cs.calculationId;
  }
  if (hasPricingConfig(await pricing.pricingConfig(cs.merchantId))) throw calculationStale(cs.id, 'missing');
  return null;
}

export class PaymentCommitment {
  constructor(
    private readonly dataSource: DataSource,
    private readonly calculations: CalculationService,
    private readonly pricing: MerchantPricingPort,
    private readonly logger: Pick<Logger, 'warn'> | undefined,
    /** Re-issues an agent checkout's AAP code for the amount committed to. */
    private readonly attribution: AttributionSigner,
  ) {}

  /** `actor`: who asks (payment-intent, confirming on the buyer's behalf): recorded with a CHECKOUT_NOT_READY refusal. */
  async commit(checkoutSessionId: string, paymentIntentId: string, actor: Actor = serviceActor('payment-intent')): Promise<CheckoutPaymentTerms> {
    const peek = await this.dataSource.manager.findOneBy(CheckoutSessionEntity, { id: checkoutSessionId });
    if (!peek) throw checkoutSessionNotFound(checkoutSessionId);
    // The pricing check and the merchant's rules may call the merchant subgraph: outside the transaction.
    await assertCurrentCalculation(peek, this.pricing);
    const rules = (await this.pricing.pricingConfig(peek.merchantId)).checkout ?? DEFAULT_CHECKOUT_RULES;
    const redeeming: { calculationId: string | null } = { calculationId: null };
    try {
      const terms = await this.dataSource.transaction(async (manager) => {
        const cs = await manager.findOne(CheckoutSessionEntity, { where: { id: checkoutSessionId }, lock: { mode: 'pessimistic_write' } });
        if (!cs) throw checkoutSessionNotFound(checkoutSessionId);
        const status = effectiveStatus(cs);
        if (status === CheckoutSessionStatus.EXPIRED) throw checkoutSessionExpired(cs.id);
        if (status !== CheckoutSessionStatus.OPEN) {
          throw invalidStateTransition(`Checkout session ${cs.id} is ${status}: it cannot be paid.`, `checkout_session:${status}`);
        }
        if (cs.paymentIntentId && cs.paymentIntentId !== paymentIntentId) {
          throw invalidStateTransition(`Payment intent ${paymentIntentId} does not pay checkout session ${cs.id}.`, 'checkout_session:other_payment_intent');
        }
        // Under the lock: what was checked above may have changed meanwhile.
        if (cs.calculationId !== peek.calculationId) throw calculationStale(cs.id, 'stale');
        if (cs.calculationId && cs.calculationStale) throw calculationStale(cs.id, 'stale');
        const [row] = await termsOf(manager, [cs.id]);
        if (attemptsExceeded(row?.paymentAttempts ?? 0, rules)) throw paymentAttemptsExceeded(cs.id, rules.settings.maxPaymentAttempts!);
        // The method the session pays with must be one its merchant takes where the buyer is (settings may have changed since the calculation).
        const methodBlocker = paymentMethodBlocker(paymentCountryOf(cs), rules);
        let amountMinor = cs.totalMinor;
        if (cs.calculationId) {
          const stored = await this.calculations.get(cs.calculationId, manager);
          if (!stored) throw calculationStale(cs.id, 'missing');
          // What the buyer was shown stands in the way of paying: nothing is taken or written.
          const blockers = stored.calculation.blockers.filter((b) => b.code !== 'payment_method_not_supported');
          if (methodBlocker) blockers.push(methodBlocker);
          if (blockers.length > 0) throw checkoutNotReady(cs.id, blockers);
          amountMinor = stored.calculation.totals.grandTotal;
          await assertWithinLimits(manager, cs, amountMinor, rules.limits);
          redeeming.calculationId = stored.id;
          await this.calculations.redeemPromotions(manager, stored, cs.id);
          redeeming.calculationId = null;
        } else {
          if (methodBlocker) throw checkoutNotReady(cs.id, [methodBlocker]);
          await assertWithinLimits(manager, cs, amountMinor, rules.limits);
        }
        // Gift cards and store credit held on the session pay part of it: the card pays the rest (0: tender covers it all).
        const held = await heldTotal(manager, cs.id);
        if (held > amountMinor) {
          throw invalidStateTransition(`The gift cards and store credit held on checkout session ${cs.id} are more than its total: remove one, then pay.`, 'tender:exceeds_total');
        }
        // splitPayments off: tender and a card (or two tenders) would pay one session.
        if (held > 0) assertNotSplitAtPayment(rules.capabilities ?? DEFAULT_CHECKOUT_RULES.capabilities, (await activeHolds(manager, cs.id)).length, held, amountMinor);
        amountMinor -= held;
        // A subscription's trial charges nothing at checkout (its lines are all recurring: subscription-lines.ts); the card is saved for its first renewal.
        const subscription = await subscriptionPlanOf(manager, cs);
        if (!chargedAtCheckout(subscription)) amountMinor = 0;
        const captureMode = termsOrDefault(row ?? null).captureMode;
        await writeTerms(manager, cs.id, {});
        await manager.query(
          `UPDATE ${table('checkout_session_terms')} SET payment_calculation_id = $2, payment_amount_minor = $3, payment_committed_at = now(),
                  payment_attempts = payment_attempts + 1 WHERE checkout_session_id = $1`,
          [cs.id, cs.calculationId, amountMinor],
        );
        const before = { version: cs.version };
        // The code binds what is paid: re-issued when the buyer's choices changed the total since it was signed.
        const aapCode = cs.aapCode ? reissueAttribution(this.attribution, cs.aapCode, money(amountMinor, cs.currency)) : null;
        await saveCheckoutSessionVersioned(manager, cs, aapCode !== cs.aapCode ? { aapCode } : {});
        // A first commitment, or one to other terms (a retry after a decline commits again to the same: nothing new to say).
        const committedBefore = row?.paymentCommittedAt && row.paymentCalculationId === cs.calculationId && row.paymentAmountMinor === amountMinor;
        if (!committedBefore) {
          const payment = { payment_intent_id: paymentIntentId, amount: amountMinor, currency: cs.currency, calculation_id: cs.calculationId };
          const audit = checkoutAudit('payment_committed', cs, { version: before.version, payment_commitment: null }, { version: cs.version, payment_commitment: payment });
          await recordCheckoutChange(manager, audit, [paymentCommittedEntry(cs, paymentIntentId, amountMinor, cs.calculationId)]);
        }
        return { checkoutSessionId: cs.id, amountMinor, currency: cs.currency, captureMode, calculationId: cs.calculationId, aapCode, subscription, customerEmail: cs.customerEmail ?? null };
      });
      return terms;
    } catch (err) {
      const calc = redeeming.calculationId;
      if (calc && err instanceof HandoffError && err.code === ErrorCode.PROMOTION_INVALID) await this.markStale(checkoutSessionId, calc);
      if (err instanceof HandoffError && err.code === ErrorCode.CHECKOUT_NOT_READY) await this.recordRefusal(peek, err, actor);
      throw err;
    }
  }

  /** A refusal for blockers is a failure of the checkout (remediation lists it); recording it never hides the refusal. */
  private async recordRefusal(cs: CheckoutSessionEntity, err: HandoffError, actor: Actor): Promise<void> {
    const blockers = (err.extensions.blockers ?? []) as NotReadyBlocker[];
    try {
      await recordFailure(this.dataSource.manager, {
        checkoutSessionId: cs.id,
        merchantId: cs.merchantId,
        ...refusalFailure(blockers),
        message: err.message,
        detail: { blockers },
        paymentIntentId: cs.paymentIntentId,
        at: new Date(),
        actor,
      });
    } catch (recordErr) {
      this.logger?.warn({ err: recordErr, checkoutSessionId: cs.id }, 'a CHECKOUT_NOT_READY refusal was not recorded as a failure');
    }
  }

  /** A promotion of the calculation could not be taken: the buyer must recalculate (without it). */
  private async markStale(checkoutSessionId: string, calculationId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${table('checkout_sessions')} SET calculation_stale = true, version = version + 1, updated_at = now()
        WHERE id = $1 AND calculation_id = $2 AND NOT calculation_stale`,
      [checkoutSessionId, calculationId],
    );
  }
}
