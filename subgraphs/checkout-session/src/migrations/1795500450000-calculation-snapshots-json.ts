// A calculation snapshot's input and result are kept as json, not jsonb (issue 18's calculation
// bench): they are written once per calculation and only ever read whole, never queried inside,
// and PostgreSQL's jsonb input (parsing and re-encoding ~15 kB per snapshot) was the largest part
// of the database's work in a calculation (about 0.9 of 1.3 ms of CPU per insert, measured).
// json is validated and kept as written, byte for byte (the snapshot the engine produced).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CalculationSnapshotsJson1795500450000 = sqlMigration(
  'CalculationSnapshotsJson1795500450000',
  [
    `ALTER TABLE "${SCHEMA}".calculations
       ALTER COLUMN input_summary TYPE json USING input_summary::json,
       ALTER COLUMN result TYPE json USING result::json`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".calculations
       ALTER COLUMN input_summary TYPE jsonb USING input_summary::jsonb,
       ALTER COLUMN result TYPE jsonb USING result::jsonb`,
  ],
);
