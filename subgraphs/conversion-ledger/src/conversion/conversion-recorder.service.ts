// Creating conversions: merchant reports (unique per merchant and order reference), verified
// payments (one per payment, flagged with a reason when a check fails), and the admin's review
// of flagged ones. Lookups in other subgraphs happen before the one transaction per command.
import type { KeyObject } from 'node:crypto';
import {
  attributionCodeId, badUserInput, formatDecimal, IdempotencyStore, invalidStateTransition, money, moneyFromInput, refuseBidiControls, requireKind,
  type MoneyInput, type Principal,
} from '@handoff/shared';
import { UnrecoverableError } from 'bullmq';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { commissionAmount } from '../commission/commission.js';
import { billingPeriodOf, FIRST_PAYMENT_ONLY, isRenewal, periodEarnsCommission, type BillingPeriod } from '../commission/recurring-commission.js';
import type { Directory, MerchantView } from '../ports/directory.js';
import { isAttributed, paymentKey, type PspEventPayload } from '../payment-events/psp-event.js';
import { verifyPaymentEvidence } from '../payment-events/verification.js';
import { ConversionEntity } from './conversion.entity.js';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';
import { codeAlreadyRedeemed, conversionNotFound, merchantNotFound, sessionNotFound } from './conversion.errors.js';
import { emitConversionUpdated } from './conversion.events.js';
import { conversionRecordedEvents, conversionWebhookEvent, conversionWebhookObject, milestoneWebhookEvent, type MilestoneRecord } from './conversion.webhook-events.js';
import { bookCommission, commissionAfterPartialRefund, lockConversion, moveStatus, partsFor, saveAndAnnounce } from './conversion.store.js';
import { isRedeemed, redeemCode } from './redeemed-codes.js';

export interface ReportConversionSpec {
  sessionId: string;
  orderReference: string;
  transactionValue: MoneyInput;
}

export interface Notifier {
  notify(): void;
}

const DAY_MS = 86_400_000;

const conversionCodec = {
  toStored: (c: ConversionEntity) => ({ id: c.id }),
  fromStored: (s: { id: string }, m: EntityManager) => m.findOneByOrFail(ConversionEntity, { id: s.id }),
};

export class ConversionRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: Directory,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: Notifier,
    private readonly keys: { publicKeys: Map<string, KeyObject>; issuer?: string },
  ) {}

  /** Merchant: a conversion for an outcome that is not a checkout payment; a repeat returns the same one. */
  async report(principal: Principal, input: ReportConversionSpec, idempotencyKey?: string): Promise<ConversionEntity> {
    const p = requireKind(principal, 'MERCHANT');
    const sessionId = requiredText(input.sessionId, 'sessionId');
    const orderReference = requiredText(input.orderReference, 'orderReference');
    const existing = await this.dataSource.getRepository(ConversionEntity).findOneBy({ merchantId: p.merchantId, orderReference });
    if (existing) return existing;

    const value = moneyFromInput(input.transactionValue, 'transactionValue');
    if (value.amountMinor <= 0) throw badUserInput('transactionValue.amountMinor', 'must be greater than zero.');
    const merchant = await this.directory.merchant(p.merchantId);
    if (!merchant) throw merchantNotFound(p.merchantId);
    if (value.currency !== merchant.defaultCurrency) {
      throw badUserInput('transactionValue.currency', `must be the merchant's currency ${merchant.defaultCurrency}.`);
    }
    // Only a session that recommended this merchant's offers: any other reads as unknown (no leak).
    const session = await this.directory.agentSession(sessionId, p.merchantId);
    if (!session) throw sessionNotFound(sessionId);
    const agent = session.agentId ? await this.directory.agent(session.agentId) : null;

    const created = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'reportConversion', input },
      async (manager) => {
        const c = this.newConversion(merchant, {
          conversionPath: ConversionPath.MERCHANT_REPORTED,
          verification: 'pending_validation',
          agentId: session.agentId,
          builderId: agent?.builder?.registered ? agent.builder.id : null,
          sessionId,
          orderReference,
          valueMinor: value.amountMinor,
          currency: value.currency,
          at: new Date(),
        });
        c.commissionPosted = true; // booked just below, in this transaction
        const inserted = await this.insertOnce(manager, c);
        if (!inserted) return manager.findOneByOrFail(ConversionEntity, { merchantId: p.merchantId, orderReference });
        await bookCommission(manager, c);
        await emitConversionUpdated(manager, [c.id], [conversionWebhookEvent('conversion.created', c)]);
        return c;
      },
      conversionCodec,
    );
    this.outbox.notify();
    return created;
  }

  /**
   * From a `psp_event.succeeded` job: one conversion per payment, verified or flagged. A
   * subscription's payment (its intent's own `recurring`) is one only for a period the merchant's
   * recurring rule pays commission on; any other period records no conversion (recordUncommissioned).
   */
  async recordVerified(p: PspEventPayload): Promise<string> {
    if (await this.alreadyApplied(p)) return 'duplicate_event';
    const key = paymentKey(p);
    if (!isAttributed(p.object)) return this.markApplied(p, null, 'not_attributed');
    const period = billingPeriodFrom(p);
    const existing = await this.dataSource.getRepository(ConversionEntity).findOneBy({ paymentKey: key });
    if (existing) return this.markApplied(p, existing.id, 'duplicate_payment');

    // The merchant's terms and the agent's builder, asked at once in one call to the merchant
    // subgraph (a known synchronous exception: docs/internal-contracts.md). Verification itself
    // asks no one: the event and the signed code carry what it checks.
    const meta = p.object.metadata ?? {};
    const directory = this.directory.prefetch?.({ merchantId: p.merchantId, agentId: meta.aap_agent_id ?? null }) ?? this.directory;
    const merchant = await directory.merchant(p.merchantId);
    if (!merchant) throw new UnrecoverableError(`merchant ${p.merchantId} not found`);
    if (period && !periodEarnsCommission(merchant.terms.recurring ?? FIRST_PAYMENT_ONLY, period.period)) return this.recordUncommissioned(p, merchant, period);
    const evidence = verifyPaymentEvidence(p, this.keys);
    let verification = evidence.verification;
    const agent = evidence.agentId ? await directory.agent(evidence.agentId) : null;
    if (verification === 'verified' && !agent) verification = 'flagged:unknown_agent';
    if (verification === 'verified' && merchant.terms.cpaCurrency && merchant.terms.cpaCurrency !== evidence.currency) {
      verification = 'flagged:currency_mismatch';
    }
    if (evidence.currency === 'XXX') throw new UnrecoverableError(`unknown currency ${p.object.currency}`);

    let outcome = 'duplicate_payment';
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.claimEvent(manager, p))) return (outcome = 'duplicate_event');
      const c = this.newConversion(merchant, {
        conversionPath: ConversionPath.VERIFIED_PAYMENT,
        verification,
        agentId: evidence.agentId,
        builderId: agent?.builder?.registered ? agent.builder.id : null,
        sessionId: evidence.sessionId,
        orderReference: null,
        valueMinor: evidence.amountMinor,
        currency: evidence.currency,
        at: new Date(p.pspEvent.created * 1000),
      });
      const aapCodeId = typeof meta.aap_code === 'string' && meta.aap_code ? attributionCodeId(meta.aap_code) : null;
      Object.assign(c, {
        recommendationId: evidence.recommendationId, offerId: evidence.offerId, paymentKey: key, paymentIntentId: p.paymentIntent?.id ?? null, aapCodeId,
        subscriptionId: period?.subscriptionId ?? null, billingPeriod: period?.period ?? null,
      });
      // A renewal has no new order to confirm: its commission is payable once it is paid.
      if (isRenewal(period) && this.paidIsFirstStep(c)) c.payableAfter = 'payment_received';
      // A flag on a code that already paid (this period, for a subscription) names the replay (a
      // read, for the reason only: what stops a second payment is the redemption below).
      if (verification !== 'verified' && aapCodeId && (await isRedeemed(manager, aapCodeId, period))) c.verification = verification = 'flagged:replayed';
      let verified = verification === 'verified';
      // A flagged conversion earns nothing until an admin approves it (its commission is computed then).
      if (!verified) Object.assign(c, partsFor(c, 0));
      // Booked below in this same transaction, so the row is written once, already as it ends.
      if (verified) {
        c.commissionPosted = true;
        if (this.paidIsFirstStep(c) && c.payableAfter === 'payment_received') c.payableSince = new Date();
      }
      if (!(await this.insertOnce(manager, c))) {
        await this.setApplied(manager, p, null, 'duplicate_payment');
        return;
      }
      if (verified && aapCodeId && !(await redeemCode(manager, aapCodeId, c.id, period))) {
        // Another payment already redeemed this code (for this period, for a subscription, or for
        // another subscription or a one-off payment): recorded as a replay, with no commission.
        Object.assign(c, { verification: 'flagged:replayed', commissionPosted: false, payableSince: null }, partsFor(c, 0));
        await manager.update(ConversionEntity, { id: c.id }, {
          verification: c.verification, commissionPosted: false, payableSince: null, ...partsFor(c, 0),
        });
        verification = c.verification;
        verified = false;
      }
      outcome = verification;
      await this.setApplied(manager, p, c.id, outcome);
      const webhooks = conversionRecordedEvents(c);
      if (verified) {
        if (this.paidIsFirstStep(c)) webhooks.push(milestoneWebhookEvent(c, await this.recordPaymentStep(manager, c)));
        // Last before the event: the posting updates the accounts' running balances, rows every
        // conversion shares, whose locks are then held only until the commit just after.
        await bookCommission(manager, c);
      }
      await emitConversionUpdated(manager, [c.id], webhooks);
    });
    this.outbox.notify();
    return outcome;
  }

  /** Admin: approve (books the commission) or reject (REJECTED) a flagged conversion, with a reason. */
  async resolveFlagged(principal: Principal, id: string, approve: boolean, reason: string): Promise<ConversionEntity> {
    requireKind(principal, 'ADMIN');
    const why = requiredText(reason, 'reason');
    const current = await this.dataSource.getRepository(ConversionEntity).findOneBy({ id });
    if (!current) throw conversionNotFound(id);
    const agent = approve && current.agentId ? await this.directory.agent(current.agentId) : null;
    const result = await this.dataSource.transaction(async (manager) => {
      const c = await lockConversion(manager, id);
      if (!c) throw conversionNotFound(id);
      if (!c.verification.startsWith('flagged:') || c.commissionPosted || c.status !== ConversionStatus.PENDING) {
        throw invalidStateTransition('Only a flagged conversion awaiting review can be approved or rejected.', 'conversion:not_flagged');
      }
      const before = conversionWebhookObject(c);
      const flag = c.verification.slice('flagged:'.length);
      c.reviewReason = `${flag}: ${why}`;
      c.reviewedAt = new Date();
      if (approve) {
        // A code pays once: a replay, or any conversion whose code another one redeemed, is refused.
        if (flag === 'replayed' || (c.aapCodeId && !(await redeemCode(manager, c.aapCodeId, c.id, billingPeriodOfConversion(c))))) throw codeAlreadyRedeemed(c.id);
        c.verification = 'verified';
        c.builderId = agent?.builder?.registered ? agent.builder.id : null;
        // Computed now, on the amount actually paid (less any refund), never on what the code claimed.
        Object.assign(c, partsFor(c, commissionAfterPartialRefund(c, c.refundedMinor)));
        const basis = `commission ${formatMinor(c.commissionMinor, c.currency)} computed on the ${formatMinor(c.transactionValueMinor - c.refundedMinor, c.currency)} paid`;
        if (flag === 'amount_mismatch' || flag === 'currency_mismatch') c.reviewReason += ` (${basis})`;
        await bookCommission(manager, c, `${c.commissionType} commission on approval: ${basis}`);
        return saveAndAnnounce(manager, c, (saved) => [conversionWebhookEvent('conversion.verified', saved, before)]);
      }
      moveStatus(c, ConversionStatus.REJECTED);
      c.verification = `rejected:${c.verification.slice('flagged:'.length)}`;
      return saveAndAnnounce(manager, c);
    });
    this.outbox.notify();
    return result;
  }

  private newConversion(
    merchant: MerchantView,
    f: { conversionPath: ConversionPath; verification: string; agentId: string | null; builderId: string | null; sessionId: string | null;
      orderReference: string | null; valueMinor: number; currency: string; at: Date },
  ): ConversionEntity {
    const terms = { ...merchant.terms };
    const amount = commissionAmount(terms, money(f.valueMinor, f.currency)).amountMinor;
    const c = Object.assign(new ConversionEntity(), {
      id: ulid(),
      merchantId: merchant.id,
      agentId: f.agentId,
      builderId: f.builderId,
      status: ConversionStatus.PENDING,
      conversionPath: f.conversionPath,
      verification: f.verification,
      currency: f.currency,
      transactionValueMinor: f.valueMinor,
      orderReference: f.orderReference,
      sessionId: f.sessionId,
      recommendationId: null,
      offerId: null,
      paymentIntentId: null,
      paymentKey: null,
      subscriptionId: null,
      billingPeriod: null,
      validationPeriodDays: merchant.validationPeriodDays,
      validatesAt: new Date(f.at.getTime() + merchant.validationPeriodDays * DAY_MS),
      commissionType: terms.type,
      cpaMinor: terms.cpaMinor,
      percentageBps: terms.percentageBps,
      commissionPosted: false,
      refundedMinor: 0,
      flowType: merchant.flow.type,
      flowSteps: merchant.flow.steps,
      payableAfter: merchant.flow.payableAfter,
      payableSince: null,
      version: 1,
      forfeitedMinor: 0,
      builderSettledMinor: 0,
      merchantSettledMinor: 0,
    });
    return Object.assign(c, partsFor(c, amount));
  }

  /** INSERT … ON CONFLICT DO NOTHING: false when the payment or the order reference is already recorded. */
  private async insertOnce(manager: EntityManager, c: ConversionEntity): Promise<boolean> {
    const res = await manager.createQueryBuilder().insert().into(ConversionEntity).values(c).orIgnore().returning(['id']).execute();
    return (res.raw as unknown[]).length > 0;
  }

  /** A verified payment's first flow step is its payment (recorded for the audit trail). */
  private paidIsFirstStep(c: ConversionEntity): boolean {
    return c.flowSteps[0] === 'payment_received';
  }

  private async recordPaymentStep(manager: EntityManager, c: ConversionEntity): Promise<MilestoneRecord> {
    const id = ulid();
    const metadata = { source: 'psp_event', paymentKey: c.paymentKey };
    const rows: Array<{ recorded_at: Date }> = await manager.query(
      `INSERT INTO ledger.conversion_milestones (id, conversion_id, step, step_index, status, metadata) VALUES ($1, $2, $3, 0, 'completed', $4::jsonb)
       RETURNING recorded_at`,
      [id, c.id, 'payment_received', JSON.stringify(metadata)],
    );
    return { id, step: 'payment_received', stepIndex: 0, status: 'completed', metadata, recordedAt: rows[0]!.recorded_at };
  }

  /**
   * A subscription's period the merchant's rule pays nothing for: no conversion, no redemption, no
   * books; one row in ledger.uncommissioned_payments (unique per payment) so the payment's refund
   * or dispute, which may arrive first and wait, ends as `recurring:no_commission` too.
   */
  private async recordUncommissioned(p: PspEventPayload, merchant: MerchantView, period: BillingPeriod): Promise<string> {
    let outcome = 'duplicate_event';
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.claimEvent(manager, p))) return;
      const rows = await manager.query(
        `INSERT INTO ledger.uncommissioned_payments (payment_key, merchant_id, subscription_id, billing_period, recurring_rule) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [paymentKey(p), merchant.id, period.subscriptionId, period.period, (merchant.terms.recurring ?? FIRST_PAYMENT_ONLY).rule],
      );
      outcome = rows.length > 0 ? RECURRING_NO_COMMISSION : 'duplicate_payment';
      await this.setApplied(manager, p, null, outcome);
    });
    return outcome;
  }

  private async alreadyApplied(p: PspEventPayload): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM ledger.psp_events_applied WHERE provider = $1 AND event_id = $2`, [p.provider, p.pspEvent.id]);
    return rows.length > 0;
  }

  private async claimEvent(manager: EntityManager, p: PspEventPayload): Promise<boolean> {
    const rows = await manager.query(
      `INSERT INTO ledger.psp_events_applied (provider, event_id, topic, outcome) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT DO NOTHING RETURNING 1`,
      [p.provider, p.pspEvent.id, p.pspEvent.type],
    );
    return rows.length > 0;
  }

  private setApplied(manager: EntityManager, p: PspEventPayload, conversionId: string | null, outcome: string): Promise<unknown> {
    return manager.query(`UPDATE ledger.psp_events_applied SET conversion_id = $3, outcome = $4 WHERE provider = $1 AND event_id = $2`, [
      p.provider, p.pspEvent.id, conversionId, outcome,
    ]);
  }

  private async markApplied(p: PspEventPayload, conversionId: string | null, outcome: string): Promise<string> {
    await this.dataSource.transaction(async (m) => {
      if (await this.claimEvent(m, p)) await this.setApplied(m, p, conversionId, outcome);
    });
    return outcome;
  }
}

/** The outcome of a subscription's payment for a period the merchant's recurring rule pays nothing for. */
export const RECURRING_NO_COMMISSION = 'recurring:no_commission';

/** The period the payment's intent record says it pays; a record that cannot be fails the job for good (payment-intent's bug). */
function billingPeriodFrom(p: PspEventPayload): BillingPeriod | null {
  try {
    return billingPeriodOf(p.paymentIntent);
  } catch (err) {
    throw new UnrecoverableError((err as Error).message);
  }
}

const billingPeriodOfConversion = (c: ConversionEntity): BillingPeriod | null =>
  c.subscriptionId !== null && c.billingPeriod !== null ? { subscriptionId: c.subscriptionId, period: c.billingPeriod } : null;

const formatMinor = (amountMinor: number, currency: string): string => `${formatDecimal(money(amountMinor, currency))} ${currency}`;

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) throw badUserInput(field, 'is required (at most 200 characters).');
  return refuseBidiControls(value.trim(), field);
}
