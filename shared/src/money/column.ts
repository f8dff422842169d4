// The one column helper for money: minor units in a PostgreSQL bigint. pg returns int8 as a
// string (it may not fit a JS number), so the conversion and its range check live here once.
import { Column, type ColumnOptions, type ValueTransformer } from 'typeorm';

const INTEGER_STRING = /^-?\d+$/;

function toSafeNumber(value: number | bigint | string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (INTEGER_STRING.test(value)) n = Number(value);
  else throw new Error(`Minor-unit column holds a non-integer value: ${JSON.stringify(value)}`);
  // Number() of a big bigint or long string rounds silently: check after converting, and for
  // bigint and strings also that the conversion was exact.
  if (!Number.isSafeInteger(n) || (typeof value !== 'number' && BigInt(n) !== BigInt(value))) {
    throw new Error(`Minor-unit value ${String(value)} is outside the safe integer range`);
  }
  return n === 0 ? 0 : n; // no -0 from "-0"
}

/**
 * A minor-unit amount read by raw SQL (pg returns bigint and numeric as strings): the exact safe
 * integer, or an Error when it is not one. The one reader for money outside an entity column.
 */
export function readMinorUnits(value: number | bigint | string): number {
  return toSafeNumber(value);
}

/**
 * bigint column ⇄ safe-integer number. A value out of range is a bug or corrupt data, never
 * user input, so it is a plain Error (masked at the edge). null and undefined pass through, as
 * does anything else TypeORM hands `to` (e.g. the inner value of a find operator it does not
 * unwrap), so queries keep working.
 */
export const bigintMinorUnits: ValueTransformer = {
  to(value: unknown): unknown {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
      return toSafeNumber(value);
    }
    return value;
  },
  from(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
      return toSafeNumber(value);
    }
    throw new Error(`Minor-unit column returned an unexpected ${typeof value}`);
  },
};

/** A money amount column: `bigint` in the database, a safe-integer number in the entity. */
export function MinorUnitsColumn(options?: Omit<ColumnOptions, 'type' | 'transformer'>): PropertyDecorator {
  return Column({ type: 'bigint', transformer: bigintMinorUnits, ...options });
}
