// A settlement batch as a row of ledger.settlement_batches: what a run makes (settlement-run.ts),
// what the service returns and marks paid (settlement.service.ts) and what reporting lists. Its
// own module so that the run's steps and the service do not import each other.
export interface SettlementBatchRow {
  id: string;
  period: string;
  payee_type: 'builder' | 'merchant';
  payee_id: string;
  currency: string;
  total_minor: string;
  line_count: number;
  status: 'OPEN' | 'PAID';
  created_at: Date;
  paid_at: Date | null;
}
