// A calculation snapshot's input and result kept once per content (issue 18's calculation bench):
// a session recalculated to the same content (a refresh, a repeated calculate) wrote the same
// ~15 kB of json again each time, the largest part of PostgreSQL's work per calculation (its
// parsing, TOAST compression and WAL). checkout.calculation_documents holds each distinct text
// once under its SHA-256; a snapshot references its input (without `at`: the calculated_at column
// says it) and its result (without fingerprint and calculatedAt: columns of the row) by hash,
// or, as before, holds them inline (rows written before, and inputs whose `at` is not written as
// calculatedAt). Documents are append-only, like the snapshots. A migration is a snapshot: it
// names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CalculationDocuments1795612000000 = sqlMigration(
  'CalculationDocuments1795612000000',
  [
    `CREATE TABLE "${SCHEMA}".calculation_documents (
      hash char(64) PRIMARY KEY,
      body json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE FUNCTION "${SCHEMA}".calculation_documents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'checkout.calculation_documents is append-only' USING ERRCODE = 'restrict_violation'; END $$`,
    `CREATE TRIGGER calculation_documents_append_only BEFORE UPDATE OR DELETE ON "${SCHEMA}".calculation_documents
      FOR EACH ROW EXECUTE FUNCTION "${SCHEMA}".calculation_documents_append_only()`,
    `ALTER TABLE "${SCHEMA}".calculations
       ALTER COLUMN input_summary DROP NOT NULL,
       ALTER COLUMN result DROP NOT NULL,
       ADD COLUMN input_hash char(64) REFERENCES "${SCHEMA}".calculation_documents (hash),
       ADD COLUMN result_hash char(64) REFERENCES "${SCHEMA}".calculation_documents (hash),
       ADD CONSTRAINT calculations_input_kept CHECK ((input_summary IS NULL) <> (input_hash IS NULL)),
       ADD CONSTRAINT calculations_result_kept CHECK ((result IS NULL) <> (result_hash IS NULL))`,
  ],
  [
    // Back inline (jsonb's merge: the keys' order is not the written one).
    `ALTER TABLE "${SCHEMA}".calculations DISABLE TRIGGER calculations_append_only`,
    `UPDATE "${SCHEMA}".calculations c SET
       input_summary = COALESCE(c.input_summary, (SELECT (d.body::jsonb || jsonb_build_object('at', to_char(c.calculated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::json
                                                    FROM "${SCHEMA}".calculation_documents d WHERE d.hash = c.input_hash)),
       result = COALESCE(c.result, (SELECT (jsonb_build_object('fingerprint', c.fingerprint, 'calculatedAt', to_char(c.calculated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) || d.body::jsonb)::json
                                      FROM "${SCHEMA}".calculation_documents d WHERE d.hash = c.result_hash))
     WHERE c.input_hash IS NOT NULL OR c.result_hash IS NOT NULL`,
    `ALTER TABLE "${SCHEMA}".calculations ENABLE TRIGGER calculations_append_only`,
    `ALTER TABLE "${SCHEMA}".calculations
       DROP CONSTRAINT calculations_input_kept, DROP CONSTRAINT calculations_result_kept,
       DROP COLUMN input_hash, DROP COLUMN result_hash,
       ALTER COLUMN input_summary SET NOT NULL, ALTER COLUMN result SET NOT NULL`,
    `DROP TABLE "${SCHEMA}".calculation_documents`,
    `DROP FUNCTION "${SCHEMA}".calculation_documents_append_only()`,
  ],
);
