// Schema `ledger`: gift cards and store credit as liabilities (issue 20 item 3). New account types
// (gift_card_liability and store_credit_liability, credit-normal, one per merchant and currency;
// tender_issued, debit-normal: what the merchant took for cards sold or granted as credit;
// tender_redeemed, credit-normal: what tender paid of its checkouts), the transaction kinds that
// post them, and the record of each `tender.*` event posted (one per checkout-session outbox row).
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';
const OLD_ACCOUNTS = `'merchant_receivable', 'builder_payable', 'network_revenue', 'unclaimed', 'settlement_cash'`;
const OLD_KINDS = `'commission', 'adjustment', 'reversal', 'release', 'forfeit', 'payout', 'invoice_payment'`;

export const TenderLiabilities1795500950000 = sqlMigration(
  'TenderLiabilities1795500950000',
  [
    `ALTER TABLE ${S}.ledger_entries DROP CONSTRAINT ledger_entries_account_type_check`,
    `ALTER TABLE ${S}.ledger_entries ADD CONSTRAINT ledger_entries_account_type_check CHECK (account_type IN (${OLD_ACCOUNTS},
       'gift_card_liability', 'store_credit_liability', 'tender_issued', 'tender_redeemed'))`,
    `ALTER TABLE ${S}.ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`,
    `ALTER TABLE ${S}.ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${OLD_KINDS}, 'tender_issue', 'tender_redemption'))`,
    `CREATE TABLE ${S}.tender_events_applied (
      source_event text PRIMARY KEY,
      transaction_id text NOT NULL REFERENCES ${S}.ledger_transactions (id),
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  [
    `DROP TABLE IF EXISTS ${S}.tender_events_applied`,
    `ALTER TABLE ${S}.ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`,
    `ALTER TABLE ${S}.ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${OLD_KINDS}))`,
    `ALTER TABLE ${S}.ledger_entries DROP CONSTRAINT ledger_entries_account_type_check`,
    `ALTER TABLE ${S}.ledger_entries ADD CONSTRAINT ledger_entries_account_type_check CHECK (account_type IN (${OLD_ACCOUNTS}))`,
  ],
);
