// The double-entry books: post a balanced transaction, the net per account of one conversion,
// and the reversal that cancels it. Signed minor units: debit > 0, credit < 0. The database
// refuses UPDATE/DELETE of entries and checks each transaction's balance at commit; the checks
// here catch a bug earlier, with a clearer message.
import { readMinorUnits } from '@handoff/shared';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';

export enum AccountType {
  /** What a merchant owes the network (debit-normal). */
  MERCHANT_RECEIVABLE = 'merchant_receivable',
  /** What the network owes a registered builder (credit-normal). */
  BUILDER_PAYABLE = 'builder_payable',
  NETWORK_REVENUE = 'network_revenue',
  /** An anonymous agent's builder share, held until settlement (credit-normal). */
  UNCLAIMED = 'unclaimed',
  /** Money that moved outside: invoices collected, payouts sent. */
  SETTLEMENT_CASH = 'settlement_cash',
  /** What a merchant's gift cards still owe their holders (credit-normal; owner: the merchant). */
  GIFT_CARD_LIABILITY = 'gift_card_liability',
  /** What a merchant's customers' store credit still owes them (credit-normal; owner: the merchant). */
  STORE_CREDIT_LIABILITY = 'store_credit_liability',
  /** What a merchant issued as gift cards and store credit (debit-normal; owner: the merchant). */
  TENDER_ISSUED = 'tender_issued',
  /** What gift cards and store credit paid of a merchant's checkouts (credit-normal; owner: the merchant). */
  TENDER_REDEEMED = 'tender_redeemed',
}

export type TransactionKind = 'commission' | 'adjustment' | 'reversal' | 'release' | 'forfeit' | 'payout' | 'invoice_payment' | 'tender_issue' | 'tender_redemption' | 'tender_restoration';

export interface EntrySpec {
  accountType: AccountType;
  /** Merchant, builder or agent id; '' for the network's own accounts. */
  owner: string;
  amountMinor: number;
}

export interface TransactionSpec {
  kind: TransactionKind;
  currency: string;
  conversionId?: string | null;
  batchId?: string | null;
  reversesId?: string | null;
  memo?: string | null;
  entries: EntrySpec[];
}

export const accountName = (type: string, owner: string): string => (owner ? `${type}:${owner}` : type);

/** Merges entries on the same account and drops zeros. */
export function netEntries(entries: readonly EntrySpec[]): EntrySpec[] {
  const byAccount = new Map<string, EntrySpec>();
  for (const e of entries) {
    const key = accountName(e.accountType, e.owner);
    const prev = byAccount.get(key);
    byAccount.set(key, { ...e, amountMinor: (prev?.amountMinor ?? 0) + e.amountMinor });
  }
  return [...byAccount.values()].filter((e) => e.amountMinor !== 0);
}

/** Posts the transaction; returns its id, or null when every entry nets to zero (nothing to post). */
export async function postTransaction(manager: EntityManager, tx: TransactionSpec): Promise<string | null> {
  const entries = netEntries(tx.entries);
  if (entries.length === 0) return null;
  const total = entries.reduce((acc, e) => acc + BigInt(e.amountMinor), 0n);
  if (entries.length < 2 || total !== 0n) throw new Error(`Unbalanced ledger transaction (${tx.kind}): ${JSON.stringify(entries)}`);
  const id = ulid();
  await manager.query(
    `INSERT INTO ledger.ledger_transactions (id, kind, conversion_id, batch_id, reverses_id, memo) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, tx.kind, tx.conversionId ?? null, tx.batchId ?? null, tx.reversesId ?? null, tx.memo ?? null],
  );
  await manager.query(
    `INSERT INTO ledger.ledger_entries (transaction_id, conversion_id, account_type, account_owner, currency, amount_minor)
     SELECT $1, $2, t.account_type, t.owner, $3, t.amount FROM unnest($4::text[], $5::text[], $6::bigint[]) AS t(account_type, owner, amount)`,
    [id, tx.conversionId ?? null, tx.currency, entries.map((e) => e.accountType), entries.map((e) => e.owner), entries.map((e) => String(e.amountMinor))],
  );
  await addToBalances(manager, tx.currency, entries);
  return id;
}

/** Adds entries to the running balances, in account order so concurrent postings never deadlock. */
export async function addToBalances(manager: EntityManager, currency: string, entries: readonly EntrySpec[]): Promise<void> {
  const sorted = [...entries].sort((a, b) => accountName(a.accountType, a.owner).localeCompare(accountName(b.accountType, b.owner)));
  await manager.query(
    `INSERT INTO ledger.ledger_accounts (account_type, account_owner, currency, balance_minor)
     SELECT t.account_type, t.owner, $1, t.amount FROM unnest($2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS t(account_type, owner, amount, n)
      ORDER BY t.n
     ON CONFLICT (account_type, account_owner, currency)
     DO UPDATE SET balance_minor = ledger_accounts.balance_minor + EXCLUDED.balance_minor, updated_at = now()`,
    [currency, sorted.map((e) => e.accountType), sorted.map((e) => e.owner), sorted.map((e) => String(e.amountMinor))],
  );
}

export interface CommissionParts {
  commissionMinor: number;
  networkFeeMinor: number;
  builderPayoutMinor: number;
  unclaimedMinor: number;
  /** An anonymous agent's share written off at settlement: never invoiced to the merchant. */
  forfeitedMinor: number;
}

export interface Parties {
  merchantId: string;
  agentId: string | null;
  builderId: string | null;
}

/** The entries that book commission `parts` (negate them to take them back). */
export function commissionEntries(p: Parties, parts: CommissionParts, sign: 1 | -1 = 1): EntrySpec[] {
  return [
    { accountType: AccountType.MERCHANT_RECEIVABLE, owner: p.merchantId, amountMinor: sign * (parts.commissionMinor - parts.forfeitedMinor) },
    { accountType: AccountType.NETWORK_REVENUE, owner: '', amountMinor: -sign * parts.networkFeeMinor },
    { accountType: AccountType.BUILDER_PAYABLE, owner: p.builderId ?? '', amountMinor: -sign * parts.builderPayoutMinor },
    { accountType: AccountType.UNCLAIMED, owner: p.agentId ?? '', amountMinor: -sign * parts.unclaimedMinor },
  ];
}

/** The conversion's net balance per account (its commission after every adjustment). */
export async function conversionNet(manager: EntityManager, conversionId: string): Promise<EntrySpec[]> {
  const rows: Array<{ account_type: AccountType; account_owner: string; net: string }> = await manager.query(
    `SELECT account_type, account_owner, sum(amount_minor)::text AS net FROM ledger.ledger_entries
      WHERE conversion_id = $1 GROUP BY account_type, account_owner HAVING sum(amount_minor) <> 0`,
    [conversionId],
  );
  return rows.map((r) => ({ accountType: r.account_type, owner: r.account_owner, amountMinor: readMinorUnits(r.net) }));
}

/** The conversion's first commission transaction: what its corrections reverse. */
export async function originalTransactionId(manager: EntityManager, conversionId: string): Promise<string | null> {
  const rows: Array<{ id: string }> = await manager.query(
    `SELECT id FROM ledger.ledger_transactions WHERE conversion_id = $1 AND kind = 'commission' ORDER BY id LIMIT 1`,
    [conversionId],
  );
  return rows[0]?.id ?? null;
}

/** Cancels everything booked for the conversion with one reversal linked to its original. */
export async function reverseConversion(manager: EntityManager, conversionId: string, currency: string, memo: string): Promise<string | null> {
  const net = await conversionNet(manager, conversionId);
  return postTransaction(manager, {
    kind: 'reversal',
    currency,
    conversionId,
    reversesId: await originalTransactionId(manager, conversionId),
    memo,
    entries: net.map((e) => ({ ...e, amountMinor: -e.amountMinor })),
  });
}
