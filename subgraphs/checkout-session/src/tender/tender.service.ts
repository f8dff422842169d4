// Applying gift cards and store credit to a checkout session (issue 20 item 3, seed 003 §11):
// each application HOLDS an amount (taken off the card or the credit, not yet spent) under the
// session's row lock, so the amount left to pay by card is always the session's grand total minus
// its holds (payment-commitment.ts charges that). The card's row is locked and its balance taken
// by a conditional UPDATE (balance_minor >= amount): concurrent sessions never hold more than a
// card has. Refusals have stable codes and write nothing: GIFT_CARD_NOT_FOUND (a wrong code and
// another merchant's card alike: a card's existence does not leak across merchants),
// GIFT_CARD_INVALID (expired, exhausted, another currency, nothing left to pay),
// STORE_CREDIT_UNAVAILABLE (no customer, not enough credit, nothing left to pay), and
// CAPABILITY_DISABLED when the merchant's giftCards or splitPayments capability is off
// (tender-capabilities.ts). Each application or removal writes a timeline entry and the merchant's
// `checkout.updated` webhook event in its transaction (tender.events.ts).
import { badUserInput, ErrorCode, HandoffError, money, readMinorUnits, type Money, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { table, type OutboxNotifier } from '../events.js';
import type { MerchantPricingPort } from '../ports/merchant-pricing.port.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { assertBuyerCanChange, type SessionChanger } from '../session-change/session-change.js';
import { GIFT_CARD_COLUMNS, giftCardOf, MAX_TENDER_MINOR, type GiftCardRow, type GiftCardView } from '../gift-card/gift-card.service.js';
import { hashGiftCardCode, normalizeGiftCardCode } from '../gift-card/gift-card.code.js';
import { activeHolds, heldTotal, HOLD_COLUMNS, holdOf, releaseHolds, type TenderHold } from './tender-holds.js';
import { assertGiftCardsEnabled, assertSingleTender, capabilitiesOf } from './tender-capabilities.js';
import { tenderEntry, tenderWebhookEvent, type TenderChange } from './tender.events.js';

export interface TenderApplication {
  applied: Money;
  remaining: Money;
  checkoutSessionId: string;
}

export interface Wallet {
  checkoutSessionId: string;
  holds: Array<TenderHold & { giftCard: GiftCardView | null }>;
  held: Money;
  amountDue: Money;
  storeCredit: Money | null;
  giftCards: GiftCardView[];
}

/** How many rows an UPDATE … RETURNING moved (TypeORM answers it on PostgreSQL as [rows, count]). */
const updatedCount = (result: unknown): number => (Array.isArray(result) && Array.isArray(result[0]) ? result[0].length : Array.isArray(result) ? result.length : 0);

const giftCardNotFound = () => new HandoffError(ErrorCode.GIFT_CARD_NOT_FOUND, 'No gift card of this merchant has this code.');
const giftCardInvalid = (why: string, message: string) => new HandoffError(ErrorCode.GIFT_CARD_INVALID, message, { reason: why });
const creditUnavailable = (why: string, message: string) => new HandoffError(ErrorCode.STORE_CREDIT_UNAVAILABLE, message, { reason: why });

export class TenderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changer: SessionChanger,
    private readonly pricing: MerchantPricingPort,
    private readonly outbox: OutboxNotifier,
  ) {}

  /** The merchant's capabilities, read before the transaction (the read may call the merchant subgraph). */
  private async capabilities(principal: Principal, id: string) {
    const seen = await this.changer.load(principal, id);
    return capabilitiesOf(this.pricing, seen.merchantId);
  }

  /** The change's timeline entry and webhook event, in its transaction. */
  private record(manager: EntityManager, cs: CheckoutSessionEntity, change: TenderChange): Promise<void> {
    return recordCheckoutChange(manager, [tenderWebhookEvent(cs, change)], [tenderEntry(cs, change)]);
  }

  private notified<T>(result: T): T {
    this.outbox.notify();
    return result;
  }

  /** The session (scoped to the caller), locked in `manager`'s transaction and still open to the buyer. */
  private async lockOpen(manager: EntityManager, principal: Principal, id: string): Promise<CheckoutSessionEntity> {
    await this.changer.load(principal, id, manager); // tenancy first (on this transaction's connection: none more is taken from the pool)
    const cs = await manager.findOne(CheckoutSessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!cs) throw checkoutSessionNotFound(id);
    assertBuyerCanChange(cs);
    return cs;
  }

  async applyGiftCard(principal: Principal, id: string, rawCode: unknown): Promise<TenderApplication> {
    const code = normalizeGiftCardCode(rawCode);
    const caps = await this.capabilities(principal, id);
    assertGiftCardsEnabled(caps, 'gift cards');
    const out = await this.dataSource.transaction(async (manager) => {
      const cs = await this.lockOpen(manager, principal, id);
      const [row]: GiftCardRow[] = await manager.query(
        `SELECT ${GIFT_CARD_COLUMNS} FROM ${table('gift_cards')} WHERE code_hash = $1 AND merchant_id = $2 FOR UPDATE`,
        [hashGiftCardCode(code), cs.merchantId],
      );
      if (!row) throw giftCardNotFound();
      const card = giftCardOf(row);
      const held = await heldTotal(manager, cs.id);
      const holds = await activeHolds(manager, cs.id);
      const already = holds.find((h) => h.giftCardId === card.id);
      if (already) return { answer: this.answer(cs, already.amountMinor, held), changed: false };
      if (card.balance.currency !== cs.currency) throw giftCardInvalid('gift_card:currency_mismatch', `This gift card is in ${card.balance.currency}; the checkout is in ${cs.currency}.`);
      if (card.expiresAt && card.expiresAt.getTime() <= Date.now()) throw giftCardInvalid('gift_card:expired', 'This gift card has expired.');
      if (card.balance.amountMinor <= 0) throw giftCardInvalid('gift_card:exhausted', 'This gift card has no balance left.');
      const due = cs.totalMinor - held;
      if (due <= 0) throw giftCardInvalid('tender:nothing_due', 'Nothing is left to pay on this checkout.');
      const amount = Math.min(card.balance.amountMinor, due);
      assertSingleTender(caps, holds.length, amount, due);
      const taken = await manager.query(
        `UPDATE ${table('gift_cards')} SET balance_minor = balance_minor - $2, updated_at = now() WHERE id = $1 AND balance_minor >= $2 RETURNING id`,
        [card.id, String(amount)],
      );
      if (updatedCount(taken) !== 1) throw giftCardInvalid('gift_card:exhausted', 'This gift card has no balance left.');
      const hold = await this.insertHold(manager, cs, 'gift_card', amount, { giftCardId: card.id });
      await this.record(manager, cs, { action: 'applied', hold, last4: card.last4, heldBefore: held, heldAfter: held + amount });
      return { answer: this.answer(cs, amount, held + amount), changed: true };
    });
    return out.changed ? this.notified(out.answer) : out.answer;
  }

  /** Holds `amountMinor` (at most what is left to pay) of the session's customer's store credit; replaces an earlier store-credit hold. */
  async applyStoreCredit(principal: Principal, id: string, amountMinor: number): Promise<TenderApplication> {
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw badUserInput('amount', 'must be a whole number of minor units, more than zero.');
    if (amountMinor > MAX_TENDER_MINOR) throw badUserInput('amount', `must be at most ${MAX_TENDER_MINOR}.`);
    const caps = await this.capabilities(principal, id);
    assertGiftCardsEnabled(caps, 'store credit');
    return this.notified(await this.dataSource.transaction(async (manager) => {
      const cs = await this.lockOpen(manager, principal, id);
      if (!cs.customerId) throw creditUnavailable('store_credit:no_customer', 'The checkout has no customer id: store credit belongs to a signed-in customer.');
      const heldBefore = await heldTotal(manager, cs.id);
      const holds = await activeHolds(manager, cs.id);
      const previous = holds.filter((h) => h.kind === 'store_credit');
      await releaseHolds(manager, cs.id, 'replaced', previous.map((h) => h.id));
      const due = cs.totalMinor - (await heldTotal(manager, cs.id));
      if (due <= 0) throw creditUnavailable('tender:nothing_due', 'Nothing is left to pay on this checkout.');
      const amount = Math.min(amountMinor, due);
      assertSingleTender(caps, holds.length - previous.length, amount, due);
      const taken = await manager.query(
        `UPDATE ${table('store_credit_accounts')} SET balance_minor = balance_minor - $4, updated_at = now()
          WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 AND balance_minor >= $4 RETURNING balance_minor`,
        [cs.merchantId, cs.customerId, cs.currency, String(amount)],
      );
      if (updatedCount(taken) !== 1) throw creditUnavailable('store_credit:insufficient', `The customer does not have ${amount} minor units of store credit in ${cs.currency}.`);
      const hold = await this.insertHold(manager, cs, 'store_credit', amount, { customerId: cs.customerId });
      const heldAfter = cs.totalMinor - due + amount;
      await this.record(manager, cs, { action: 'applied', hold, last4: null, heldBefore, heldAfter });
      return this.answer(cs, amount, heldAfter);
    }));
  }

  /** Releases the hold of the card with this code (BAD_USER_INPUT when it is not applied to the session). */
  async removeGiftCard(principal: Principal, id: string, rawCode: unknown): Promise<TenderApplication> {
    const code = normalizeGiftCardCode(rawCode);
    return this.notified(await this.dataSource.transaction(async (manager) => {
      const cs = await this.lockOpen(manager, principal, id);
      const [row] = await manager.query(`SELECT id, last4 FROM ${table('gift_cards')} WHERE code_hash = $1 AND merchant_id = $2`, [hashGiftCardCode(code), cs.merchantId]);
      if (!row) throw giftCardNotFound();
      const holds = (await activeHolds(manager, cs.id)).filter((h) => h.giftCardId === row.id);
      if (holds.length === 0) throw badUserInput('code', 'this gift card is not applied to the checkout.');
      const heldBefore = await heldTotal(manager, cs.id);
      const released = await releaseHolds(manager, cs.id, 'removed', holds.map((h) => h.id));
      const amount = released.reduce((a, h) => a + h.amountMinor, 0);
      const heldAfter = await heldTotal(manager, cs.id);
      for (const hold of released) await this.record(manager, cs, { action: 'removed', hold, last4: row.last4, heldBefore, heldAfter });
      return { applied: money(-amount, cs.currency), remaining: money(cs.totalMinor - heldAfter, cs.currency), checkoutSessionId: cs.id };
    }));
  }

  /** What the session holds, what is left to pay, and what its customer could still apply. */
  async wallet(cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId' | 'currency' | 'totalMinor' | 'customerId'>): Promise<Wallet> {
    const manager = this.dataSource.manager;
    const holds = await activeHolds(manager, cs.id);
    const cardIds = holds.map((h) => h.giftCardId).filter((x): x is string => !!x);
    const cardRows: GiftCardRow[] = cs.customerId || cardIds.length
      ? await manager.query(
          `SELECT ${GIFT_CARD_COLUMNS} FROM ${table('gift_cards')} WHERE merchant_id = $1 AND (id = ANY($2::text[]) OR customer_id = $3) ORDER BY id LIMIT 100`,
          [cs.merchantId, cardIds, cs.customerId],
        )
      : [];
    const cards = cardRows.map(giftCardOf);
    const held = holds.reduce((a, h) => a + h.amountMinor, 0);
    let storeCredit: Money | null = null;
    if (cs.customerId) {
      const [c] = await manager.query(
        `SELECT balance_minor::text AS b FROM ${table('store_credit_accounts')} WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3`,
        [cs.merchantId, cs.customerId, cs.currency],
      );
      storeCredit = money(c ? readMinorUnits(c.b) : 0, cs.currency);
    }
    const now = Date.now();
    return {
      checkoutSessionId: cs.id,
      holds: holds.map((h) => ({ ...h, giftCard: cards.find((c) => c.id === h.giftCardId) ?? null })),
      held: money(held, cs.currency),
      amountDue: money(Math.max(cs.totalMinor - held, 0), cs.currency),
      storeCredit,
      giftCards: cards.filter((c) => c.customerId === cs.customerId && c.customerId !== null && c.balance.amountMinor > 0 && c.balance.currency === cs.currency && !(c.expiresAt && c.expiresAt.getTime() <= now)),
    };
  }

  private async insertHold(manager: EntityManager, cs: CheckoutSessionEntity, kind: TenderHold['kind'], amount: number, ref: { giftCardId?: string; customerId?: string }): Promise<TenderHold> {
    const [row] = await manager.query(
      `INSERT INTO ${table('tender_holds')} (id, checkout_session_id, merchant_id, kind, gift_card_id, customer_id, currency, amount_minor, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held') RETURNING ${HOLD_COLUMNS}`,
      [`th_${ulid()}`, cs.id, cs.merchantId, kind, ref.giftCardId ?? null, ref.customerId ?? null, cs.currency, String(amount)],
    );
    return holdOf(row);
  }

  private answer(cs: CheckoutSessionEntity, applied: number, held: number): TenderApplication {
    return { applied: money(applied, cs.currency), remaining: money(Math.max(cs.totalMinor - held, 0), cs.currency), checkoutSessionId: cs.id };
  }
}
