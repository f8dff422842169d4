// checkout.calculations: every calculation snapshot, append-only. A snapshot keeps the input it
// was made from (providers' secrets redacted) beside the full result, so it can be reproduced and
// audited (both json: written once, read whole, kept as written); its totals are bigint columns
// for queries. Read back through shared's money reader. The input (without `at`) and the result
// (without fingerprint and calculatedAt, which are the row's) are kept once per content in
// checkout.calculation_documents under their SHA-256, and the snapshot names them: a session
// recalculated to the same content writes a row of ~400 bytes, not ~15 kB of json again
// (migration 1795612000000). Rows written before hold both inline, and are read as they are.
import { createHash } from 'node:crypto';
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
  fingerprint: string;
  customer_key: string | null;
  /** Inline (a row written before documents), or the result document without fingerprint and calculatedAt. */
  result: Calculation;
  by_hash: boolean;
  calculated_at: Date;
  grand_total_minor: string;
}

const SELECT = `SELECT c.id, c.checkout_session_id, c.merchant_id, c.fingerprint, c.calculated_at, c.grand_total_minor,
         COALESCE(c.input_summary, i.body)->>'customerKey' AS customer_key, COALESCE(c.result, r.body) AS result, c.result_hash IS NOT NULL AS by_hash
    FROM checkout.calculations c
    LEFT JOIN checkout.calculation_documents i ON i.hash = c.input_hash
    LEFT JOIN checkout.calculation_documents r ON r.hash = c.result_hash`;

function fromRow(r: Row): StoredCalculation {
  const calculatedAt = new Date(r.calculated_at);
  // A result document has no fingerprint or calculatedAt: they come first, as written.
  const calculation = r.by_hash ? (Object.assign({ fingerprint: r.fingerprint, calculatedAt: calculatedAt.toISOString() }, r.result) as Calculation) : r.result;
  if (readMinorUnits(r.grand_total_minor) !== calculation.totals.grandTotal) throw new Error(`calculation ${r.id}: stored totals disagree with its result`);
  return { id: r.id, checkoutSessionId: r.checkout_session_id, merchantId: r.merchant_id, customerKey: r.customer_key ?? null, calculation, calculatedAt };
}

/** The snapshot row's columns, in the order of `snapshotRow`'s values. */
export const SNAPSHOT_COLUMNS =
  'id, checkout_session_id, merchant_id, fingerprint, currency, sub_total_minor, discount_total_minor, tax_total_minor, included_tax_total_minor, shipping_total_minor, grand_total_minor, input_summary, result, input_hash, result_hash, calculated_at';
/** Their types, for a statement that selects the values (INSERT … SELECT) rather than listing them. */
export const SNAPSHOT_CASTS = ['text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'json', 'json', 'text', 'text', 'timestamptz'] as const;

/** A document of a snapshot: its text and SHA-256 (hex). */
export interface SnapshotDocument {
  hash: string;
  body: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A new snapshot of `calculation` for the session: its row's values, the documents the row names
 * (written first, each only if not there yet: snapshotDocumentsSql) and the StoredCalculation it is
 * read as. The result goes by hash without its fingerprint and calculatedAt (the row's columns);
 * the input without `at` when that is calculatedAt as written (else the input stays inline).
 */
export function snapshotRow(sessionId: string, input: CalculationInput, calculation: Calculation): { values: unknown[]; documents: SnapshotDocument[]; stored: StoredCalculation } {
  const id = newId(IdPrefix.calculation);
  const t = calculation.totals;
  const result = JSON.stringify({ ...calculation, fingerprint: undefined, calculatedAt: undefined });
  const documents: SnapshotDocument[] = [{ hash: sha256(result), body: result }];
  let inputInline: string | null = null;
  if (input.at === calculation.calculatedAt) {
    const body = redactedInputJson({ ...input, at: undefined as unknown as string });
    documents.push({ hash: sha256(body), body });
  } else {
    inputInline = redactedInputJson(input);
  }
  const values = [id, sessionId, input.config.merchantId, calculation.fingerprint, t.currency, t.subTotal, t.discountTotal, t.taxTotal, t.includedTaxTotal,
    t.shippingTotal, t.grandTotal, inputInline, null, inputInline === null ? documents[1]!.hash : null, documents[0]!.hash, calculation.calculatedAt];
  const stored = { id, checkoutSessionId: sessionId, merchantId: input.config.merchantId, customerKey: input.customerKey ?? null, calculation, calculatedAt: new Date(calculation.calculatedAt) };
  return { values, documents, stored };
}

/**
 * A data-modifying CTE body writing a snapshot's documents (documentParams: 4 parameters from
 * `first`) that are not there yet (a text already stored is neither parsed nor written again),
 * only when `from` (a CTE name, or null) has a row. Concurrent writers of one text: one row.
 * Scalar parameters, not arrays: node-postgres escapes an array's ~15 kB of JSON character by
 * character.
 */
export function snapshotDocumentsSql(first: number, from: string | null): string {
  const p = (i: number) => `$${first + i}::text`;
  return `INSERT INTO checkout.calculation_documents (hash, body)
     SELECT d.hash, d.body::json FROM (VALUES (${p(0)}, ${p(1)}), (${p(2)}, ${p(3)})) AS d(hash, body)${from ? `, ${from}` : ''}
      WHERE d.hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM checkout.calculation_documents x WHERE x.hash = d.hash)
     ON CONFLICT (hash) DO NOTHING`;
}

/** The documents' parameters for snapshotDocumentsSql (one or two documents): hash, text, hash, text. */
export const documentParams = (documents: SnapshotDocument[]) => [documents[0]!.hash, documents[0]!.body, documents[1]?.hash ?? null, documents[1]?.body ?? null];

/** The input a stored snapshot was made from (providers' secrets redacted), as its JSON text: calculate it again to reproduce the snapshot. */
export async function calculationInputJson(manager: EntityManager, id: string): Promise<string | null> {
  const rows = (await manager.query(
    `SELECT c.input_summary::text AS inline, i.body::text AS doc, c.calculated_at FROM checkout.calculations c
       LEFT JOIN checkout.calculation_documents i ON i.hash = c.input_hash WHERE c.id = $1`,
    [id],
  )) as Array<{ inline: string | null; doc: string | null; calculated_at: Date }>;
  const row = rows[0];
  if (!row) return null;
  if (row.inline !== null) return row.inline;
  return `${row.doc!.slice(0, -1)},"at":${JSON.stringify(new Date(row.calculated_at).toISOString())}}`;
}

/**
 * Appends the snapshot of `calculation` for the session and returns it with its new `calc_…` id.
 * The answer is built from what was written, not read back: the row holds exactly these values
 * (its result and input are the JSON of `calculation` and the redacted input), so sending the
 * snapshot back from PostgreSQL and parsing it again would only cost time.
 */
export async function insertCalculation(manager: EntityManager, sessionId: string, input: CalculationInput, calculation: Calculation): Promise<StoredCalculation> {
  const { values, documents, stored } = snapshotRow(sessionId, input, calculation);
  const n = values.length;
  await manager.query(
    `WITH docs AS (${snapshotDocumentsSql(n + 1, null)})
     INSERT INTO checkout.calculations (${SNAPSHOT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}::${SNAPSHOT_CASTS[i]}`).join(', ')})`,
    [...values, ...documentParams(documents)],
  );
  return stored;
}

/** The session's most recent snapshot, or null. */
export async function latestCalculation(manager: EntityManager, sessionId: string): Promise<StoredCalculation | null> {
  const rows = (await manager.query(`${SELECT} WHERE c.checkout_session_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 1`, [sessionId])) as Row[];
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function calculationById(manager: EntityManager, id: string): Promise<StoredCalculation | null> {
  const rows = (await manager.query(`${SELECT} WHERE c.id = $1`, [id])) as Row[];
  return rows[0] ? fromRow(rows[0]) : null;
}
