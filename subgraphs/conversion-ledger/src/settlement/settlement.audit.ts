// A settlement batch's audit rows (issue 19 item 5; shared/src/contracts/audit.contract.ts): a run
// writes one per batch it makes (`created`: the conversions it moved are the batch's settlement
// lines; a run over 100,000 conversions writes one row per batch, not per conversion), and
// markBatchPaid one when the batch is paid (`paid`: its conversions moved to PAID with it).
import { auditOutboxEvent, readMinorUnits, type OutboxEvent } from '@handoff/shared';
import type { SettlementBatchRow } from './settlement-batch.js';

const shown = (b: SettlementBatchRow) => ({
  period: b.period,
  payee_type: b.payee_type,
  payee_id: b.payee_id,
  currency: b.currency,
  total: readMinorUnits(b.total_minor),
  line_count: b.line_count,
  status: b.status.toLowerCase(),
  paid_at: b.paid_at ? new Date(b.paid_at).toISOString() : null,
});

export function settlementBatchAudit(b: SettlementBatchRow, action: 'created' | 'paid'): OutboxEvent {
  const after = shown(b);
  return auditOutboxEvent(
    {
      entityType: 'settlement_batch',
      entityId: b.id,
      // A merchant's invoice batch is the merchant's; a builder's payout batch is no merchant's.
      merchantId: b.payee_type === 'merchant' ? b.payee_id : null,
      action,
      before: action === 'paid' ? { status: 'open', paid_at: null } : null,
      after: action === 'paid' ? { status: after.status, paid_at: after.paid_at } : after,
    },
    'conversion-ledger',
  );
}
