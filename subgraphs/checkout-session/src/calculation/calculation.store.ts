// checkout.calculations: every calculation snapshot, append-only. A snapshot keeps the input it
// was made from (providers' secrets redacted) beside the full result, so it can be reproduced and
// audited (both json: written once, read whole, kept as written); its totals are bigint columns
// for queries. Read back through shared's money reader.
import { readMinorUnits } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { IdPrefix, newId } from '../ids.js';
import type { Calculation, CalculationInput } from './calculation.types.js';
import { redactedInputJson } from './fingerprint.js';

export interface StoredCalculation {
  id: string;
  checkoutSessionId: string;
  merchantId: string;
  /** The customer the calculation was made for (per-customer promotion limits). */
  customerKey: string | null;
  calculation: Calculation;
  calculatedAt: Date;
}

interface Row {
  id: string;
  checkout_session_id: string;
  merchant_id: string;
  input_summary: { customerKey?: string | null };
  result: Calculation;
  calculated_at: Date;
  grand_total_minor: string;
}

const SELECT = `SELECT id, checkout_session_id, merchant_id, input_summary, result, calculated_at, grand_total_minor FROM checkout.calculations`;

function fromRow(r: Row): StoredCalculation {
  if (readMinorUnits(r.grand_total_minor) !== r.result.totals.grandTotal) throw new Error(`calculation ${r.id}: stored totals disagree with its result`);
  return { id: r.id, checkoutSessionId: r.checkout_session_id, merchantId: r.merchant_id, customerKey: r.input_summary.customerKey ?? null, calculation: r.result, calculatedAt: new Date(r.calculated_at) };
}

/** The snapshot row's columns, in the order of `snapshotRow`'s values. */
export const SNAPSHOT_COLUMNS =
  'id, checkout_session_id, merchant_id, fingerprint, currency, sub_total_minor, discount_total_minor, tax_total_minor, included_tax_total_minor, shipping_total_minor, grand_total_minor, input_summary, result, calculated_at';
/** Their types, for a statement that selects the values (INSERT … SELECT) rather than listing them. */
export const SNAPSHOT_CASTS = ['text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'json', 'json', 'timestamptz'] as const;

/** A new snapshot of `calculation` for the session: its row's values and the StoredCalculation it is read as. */
export function snapshotRow(sessionId: string, input: CalculationInput, calculation: Calculation): { values: unknown[]; stored: StoredCalculation } {
  const id = newId(IdPrefix.calculation);
  const t = calculation.totals;
  const values = [id, sessionId, input.config.merchantId, calculation.fingerprint, t.currency, t.subTotal, t.discountTotal, t.taxTotal, t.includedTaxTotal,
    t.shippingTotal, t.grandTotal, redactedInputJson(input), JSON.stringify(calculation), calculation.calculatedAt];
  const stored = { id, checkoutSessionId: sessionId, merchantId: input.config.merchantId, customerKey: input.customerKey ?? null, calculation, calculatedAt: new Date(calculation.calculatedAt) };
  return { values, stored };
}

/**
 * Appends the snapshot of `calculation` for the session and returns it with its new `calc_…` id.
 * The answer is built from what was written, not read back: the row holds exactly these values
 * (its result and input are the JSON of `calculation` and the redacted input), so sending the
 * snapshot back from PostgreSQL and parsing it again would only cost time.
 */
export async function insertCalculation(manager: EntityManager, sessionId: string, input: CalculationInput, calculation: Calculation): Promise<StoredCalculation> {
  const { values, stored } = snapshotRow(sessionId, input, calculation);
  await manager.query(`INSERT INTO checkout.calculations (${SNAPSHOT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  return stored;
}

/** The session's most recent snapshot, or null. */
export async function latestCalculation(manager: EntityManager, sessionId: string): Promise<StoredCalculation | null> {
  const rows = (await manager.query(`${SELECT} WHERE checkout_session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [sessionId])) as Row[];
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function calculationById(manager: EntityManager, id: string): Promise<StoredCalculation | null> {
  const rows = (await manager.query(`${SELECT} WHERE id = $1`, [id])) as Row[];
  return rows[0] ? fromRow(rows[0]) : null;
}
