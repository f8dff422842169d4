// Issuing gift cards and granting store credit (issue 20 item 3): the merchant (or an admin) makes
// a liability. Each is one transaction: the card (or the credit) and its `tender.<kind>.issued`
// outbox row, which the ledger posts as a credit of the merchant's liability account.
import {
  badUserInput,
  idempotencyScope,
  money,
  moneyFromInput,
  requireMerchantAccess,
  readMinorUnits,
  type IdempotencyStore,
  type Money,
  type Principal,
} from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { addToOutbox } from '@handoff/shared';
import { SCHEMA_NAME, table, type OutboxNotifier } from '../events.js';
import { CUSTOMER_ID } from '../customer/customer.validation.js';
import { requiredId } from '../input.js';
import { tenderEvent } from '../tender/tender-holds.js';
import { displayCode, hashGiftCardCode, last4Of, newGiftCardCode } from './gift-card.code.js';

export const MAX_TENDER_MINOR = 10_000_000;

export interface GiftCardView {
  id: string;
  merchantId: string;
  last4: string;
  balance: Money;
  initialBalance: Money;
  expiresAt: Date | null;
  customerId: string | null;
}

export interface GiftCardRow {
  id: string;
  merchant_id: string;
  last4: string;
  currency: string;
  balance_minor: string;
  initial_minor: string;
  expires_at: Date | null;
  customer_id: string | null;
}

export const GIFT_CARD_COLUMNS = 'id, merchant_id, last4, currency, balance_minor::text AS balance_minor, initial_minor::text AS initial_minor, expires_at, customer_id';

export const giftCardOf = (r: GiftCardRow): GiftCardView => ({
  id: r.id,
  merchantId: r.merchant_id,
  last4: r.last4,
  balance: money(readMinorUnits(r.balance_minor), r.currency.trim()),
  initialBalance: money(readMinorUnits(r.initial_minor), r.currency.trim()),
  expiresAt: r.expires_at,
  customerId: r.customer_id,
});

export interface IssueSpec {
  merchantId: string;
  balance: { amountMinor: number; currency: string };
  expiresAt?: Date | null;
  customerId?: string | null;
}

export function positiveAmount(input: { amountMinor: number; currency: string }, field: string): Money {
  const m = moneyFromInput(input, field);
  if (m.amountMinor <= 0) throw badUserInput(`${field}.amountMinor`, 'must be more than zero.');
  if (m.amountMinor > MAX_TENDER_MINOR) throw badUserInput(`${field}.amountMinor`, `must be at most ${MAX_TENDER_MINOR}.`);
  return m;
}

export function customerIdOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || !CUSTOMER_ID.test(value)) throw badUserInput(field, 'must be 1 to 100 letters, digits or _ . : @ -.');
  return value;
}

export class GiftCardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: OutboxNotifier,
    private readonly secret: string,
  ) {}

  async issue(principal: Principal, input: IssueSpec, key?: string | null): Promise<{ code: string; giftCard: GiftCardView }> {
    const merchantId = requiredId(input?.merchantId, 'input.merchantId');
    if (merchantId.length > 100) throw badUserInput('input.merchantId', 'is not a valid id.');
    requireMerchantAccess(principal, merchantId);
    const balance = positiveAmount(input.balance, 'input.balance');
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
      throw badUserInput('input.expiresAt', 'must be in the future.');
    }
    const customerId = input.customerId === null || input.customerId === undefined ? null : customerIdOf(input.customerId, 'input.customerId');
    // With a key, the code is derived from it: a retry answers the same code, and none is stored.
    const code = newGiftCardCode(this.secret, key ? `${idempotencyScope(principal)}\n${key}` : undefined);
    const result = await this.idempotency.run(
      { principal, key, operation: 'issueGiftCard', input: { merchantId, balance, expiresAt: expiresAt?.toISOString() ?? null, customerId } },
      async (manager) => ({ code: displayCode(code), giftCard: await this.insert(manager, merchantId, code, balance, expiresAt, customerId) }),
      {
        toStored: (r) => ({ id: r.giftCard.id }),
        fromStored: async (stored: { id: string }, manager) => ({ code: displayCode(code), giftCard: (await this.byId(manager, stored.id))! }),
      },
    );
    this.outbox.notify();
    return result;
  }

  private async insert(manager: EntityManager, merchantId: string, code: string, balance: Money, expiresAt: Date | null, customerId: string | null): Promise<GiftCardView> {
    const id = `gc_${ulid()}`;
    const [row]: GiftCardRow[] = await manager.query(
      `INSERT INTO ${table('gift_cards')} (id, merchant_id, code_hash, last4, currency, initial_minor, balance_minor, customer_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING ${GIFT_CARD_COLUMNS}`,
      [id, merchantId, hashGiftCardCode(code), last4Of(code), balance.currency, String(balance.amountMinor), customerId, expiresAt],
    );
    await addToOutbox(
      manager,
      SCHEMA_NAME,
      tenderEvent({ kind: 'gift_card', move: 'issued', merchantId, currency: balance.currency, amountMinor: balance.amountMinor, instrumentId: id, checkoutSessionId: null, occurredAt: new Date().toISOString() }),
    );
    return giftCardOf(row!);
  }

  async byId(manager: EntityManager, id: string): Promise<GiftCardView | null> {
    const [row]: GiftCardRow[] = await manager.query(`SELECT ${GIFT_CARD_COLUMNS} FROM ${table('gift_cards')} WHERE id = $1`, [id]);
    return row ? giftCardOf(row) : null;
  }

  /** Adds `amount` to the customer's store credit in its currency; the ledger credits the merchant's store-credit liability. */
  async grantStoreCredit(
    principal: Principal,
    input: { merchantId: string; customerId: string; amount: { amountMinor: number; currency: string } },
    key?: string | null,
  ): Promise<{ customerId: string; balance: Money }> {
    const merchantId = requiredId(input?.merchantId, 'input.merchantId');
    if (merchantId.length > 100) throw badUserInput('input.merchantId', 'is not a valid id.');
    requireMerchantAccess(principal, merchantId);
    const customerId = customerIdOf(input.customerId, 'input.customerId');
    const amount = positiveAmount(input.amount, 'input.amount');
    const result = await this.idempotency.run(
      { principal, key, operation: 'grantStoreCredit', input: { merchantId, customerId, amount } },
      async (manager) => {
        const [row] = await manager.query(
          `INSERT INTO ${table('store_credit_accounts')} (merchant_id, customer_id, currency, balance_minor, granted_minor) VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (merchant_id, customer_id, currency) DO UPDATE
             SET balance_minor = store_credit_accounts.balance_minor + EXCLUDED.balance_minor,
                 granted_minor = store_credit_accounts.granted_minor + EXCLUDED.granted_minor, updated_at = now()
           RETURNING balance_minor::text AS balance`,
          [merchantId, customerId, amount.currency, String(amount.amountMinor)],
        );
        await addToOutbox(
          manager,
          SCHEMA_NAME,
          tenderEvent({ kind: 'store_credit', move: 'issued', merchantId, currency: amount.currency, amountMinor: amount.amountMinor, instrumentId: customerId, checkoutSessionId: null, occurredAt: new Date().toISOString() }),
        );
        return { customerId, balance: money(readMinorUnits(row.balance), amount.currency) };
      },
      { toStored: (r) => ({ customerId: r.customerId, amountMinor: r.balance.amountMinor, currency: r.balance.currency }), fromStored: async (s) => ({ customerId: s.customerId, balance: money(s.amountMinor, s.currency) }) },
    );
    this.outbox.notify();
    return result;
  }
}
