// Rows of the reporting SQL → GraphQL objects.
import { money, readMinorUnits, toMoneyType } from '@handoff/shared';
import { accountName } from '../books/ledger.js';
import type { LedgerEntryType } from '../conversion/conversion.type.js';
import type { SettlementBatchRow } from '../settlement/settlement-batch.js';
import type { BalanceRow, EntryRow, SummaryRow } from './reporting.service.js';
import { CommissionSummaryRowType, LedgerBalanceType, SettlementBatchType } from './reporting.type.js';

export function toEntry(r: EntryRow): LedgerEntryType {
  const amount = readMinorUnits(r.amount_minor);
  return {
    id: r.id,
    account: accountName(r.account_type, r.account_owner),
    accountType: r.account_type,
    owner: r.account_owner,
    direction: amount > 0 ? 'debit' : 'credit',
    amount: toMoneyType(money(Math.abs(amount), r.currency)),
    transactionId: r.transaction_id,
    kind: r.kind,
    reversesTransactionId: r.reverses_id,
    conversionId: r.conversion_id,
    createdAt: r.created_at,
  };
}

export const toBatch = (b: SettlementBatchRow): SettlementBatchType =>
  Object.assign(new SettlementBatchType(), {
    id: b.id,
    period: b.period,
    payee: `${b.payee_type}:${b.payee_id}`,
    payeeType: b.payee_type,
    payeeId: b.payee_id,
    total: toMoneyType(money(b.total_minor, b.currency)),
    status: b.status,
    lineCount: b.line_count,
    createdAt: b.created_at,
    paidAt: b.paid_at,
  });

export const toSummary = (r: SummaryRow): CommissionSummaryRowType =>
  Object.assign(new CommissionSummaryRowType(), {
    key: r.key,
    currency: r.currency,
    count: r.count,
    transactionValue: toMoneyType(money(r.transactionValueMinor, r.currency)),
    commission: toMoneyType(money(r.commissionMinor, r.currency)),
    networkFee: toMoneyType(money(r.networkFeeMinor, r.currency)),
    builderPayout: toMoneyType(money(r.builderPayoutMinor, r.currency)),
    refunded: toMoneyType(money(r.refundedMinor, r.currency)),
    refundedCount: r.refundedCount,
  });

export const toBalance = (r: BalanceRow): LedgerBalanceType =>
  Object.assign(new LedgerBalanceType(), {
    account: accountName(r.account_type, r.account_owner),
    accountType: r.account_type,
    owner: r.account_owner,
    balance: toMoneyType(money(r.balance_minor, r.currency)),
  });
