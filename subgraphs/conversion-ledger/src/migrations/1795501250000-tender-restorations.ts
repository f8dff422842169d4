// Schema `ledger`: a finalization rolled back gives captured gift-card and store-credit amounts
// back (issue 20 item 4): `tender_restoration` transactions reverse a redemption (debit
// tender_redeemed, credit the liability), posted once per checkout-session outbox row.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';
const KINDS = `'commission', 'adjustment', 'reversal', 'release', 'forfeit', 'payout', 'invoice_payment', 'tender_issue', 'tender_redemption'`;

export const TenderRestorations1795501250000 = sqlMigration(
  'TenderRestorations1795501250000',
  [
    `ALTER TABLE ${S}.ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`,
    `ALTER TABLE ${S}.ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${KINDS}, 'tender_restoration'))`,
  ],
  [
    `ALTER TABLE ${S}.ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`,
    `ALTER TABLE ${S}.ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${KINDS}))`,
  ],
);
