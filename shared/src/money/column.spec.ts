import 'reflect-metadata';
import { describe, it, expect } from 'vitest';
import { Entity, PrimaryColumn, getMetadataArgsStorage } from 'typeorm';
import { bigintMinorUnits, MinorUnitsColumn, readMinorUnits } from './column.js';

describe('readMinorUnits (raw SQL money)', () => {
  it('reads sums and bigints exactly', () => {
    expect(readMinorUnits('-6400')).toBe(-6400);
    expect(readMinorUnits('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['9007199254740993', '12.5', 'NaN', ''])('refuses %j instead of rounding it', (value) => {
    expect(() => readMinorUnits(value)).toThrow(Error);
  });
});

describe('bigintMinorUnits', () => {
  it('turns the driver’s bigint strings into numbers', () => {
    expect(bigintMinorUnits.from('1000')).toBe(1000);
    expect(bigintMinorUnits.from('-5')).toBe(-5);
    expect(bigintMinorUnits.from('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(bigintMinorUnits.from('-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(Object.is(bigintMinorUnits.from('-0'), 0)).toBe(true);
    expect(bigintMinorUnits.from(42)).toBe(42);
    expect(bigintMinorUnits.from(42n)).toBe(42);
  });

  it('passes null and undefined through', () => {
    expect(bigintMinorUnits.from(null)).toBeNull();
    expect(bigintMinorUnits.from(undefined)).toBeUndefined();
    expect(bigintMinorUnits.to(null)).toBeNull();
    expect(bigintMinorUnits.to(undefined)).toBeUndefined();
  });

  it.each(['9007199254740992', '-9007199254740992', '9223372036854775807', '12.5', 'abc', ''])(
    'throws on unsafe or non-integer %j from the database',
    (value) => expect(() => bigintMinorUnits.from(value)).toThrow(Error),
  );

  it('throws rather than write an unsafe or fractional number', () => {
    expect(bigintMinorUnits.to(1000)).toBe(1000);
    expect(() => bigintMinorUnits.to(1.5)).toThrow(Error);
    expect(() => bigintMinorUnits.to(Number.MAX_SAFE_INTEGER + 1)).toThrow(Error);
    expect(() => bigintMinorUnits.to(2n ** 63n)).toThrow(Error);
  });

  it('leaves other values (e.g. find operator internals) alone', () => {
    const marker = { operator: 'raw' };
    expect(bigintMinorUnits.to(marker)).toBe(marker);
  });
});

describe('MinorUnitsColumn', () => {
  @Entity('minor_units_column_spec')
  class Priced {
    @PrimaryColumn() id: string;
    @MinorUnitsColumn({ name: 'amount_minor' }) amountMinor: number;
    @MinorUnitsColumn({ nullable: true }) refundedMinor: number | null;
  }

  it('declares a bigint column with the transformer and the given options', () => {
    const columns = getMetadataArgsStorage().columns.filter((c) => c.target === Priced);
    const amount = columns.find((c) => c.propertyName === 'amountMinor')!;
    expect(amount.options).toMatchObject({ type: 'bigint', name: 'amount_minor', transformer: bigintMinorUnits });
    const refunded = columns.find((c) => c.propertyName === 'refundedMinor')!;
    expect(refunded.options).toMatchObject({ type: 'bigint', nullable: true, transformer: bigintMinorUnits });
  });
});
