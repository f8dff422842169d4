import { describe, it, expect } from 'vitest';
import { HandoffError } from '../errors/codes.js';
import {
  add, allocate, applyBasisPoints, assertSameCurrency, compare, divideRounded, formatDecimal, isNegative,
  isZero, money, negate, parseDecimal, splitByBasisPoints, subtract, sum, type RoundingMode,
} from './money.js';

const gbp = (n: number) => money(n, 'GBP');

function expectBadInput(fn: () => unknown, field?: string) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HandoffError);
    expect((error as HandoffError).extensions.code).toBe('BAD_USER_INPUT');
    if (field) expect((error as HandoffError).extensions.field).toBe(field);
    return;
  }
  expect.unreachable('expected BAD_USER_INPUT');
}

describe('money', () => {
  it('accepts numbers, bigints and integer strings, normalizing the currency', () => {
    expect(money(1000, 'gbp')).toEqual({ amountMinor: 1000, currency: 'GBP' });
    expect(money(-5n, 'JPY')).toEqual({ amountMinor: -5, currency: 'JPY' });
    expect(money('9007199254740991', 'USD').amountMinor).toBe(Number.MAX_SAFE_INTEGER);
    expect(Object.is(money(-0, 'GBP').amountMinor, 0)).toBe(true);
    expect(Object.isFrozen(gbp(1))).toBe(true);
  });

  it.each([1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '1.5', '1e3', '', ' 1', 9007199254740992n])(
    'rejects amount %s',
    (amount) => expectBadInput(() => money(amount as number, 'GBP'), 'amountMinor'),
  );

  it('rejects unknown currencies', () => expectBadInput(() => money(1, 'XAU'), 'currency'));
});

describe('parseDecimal / formatDecimal', () => {
  it.each([
    ['10.00', 'GBP', 1000], ['10', 'GBP', 1000], ['10.5', 'GBP', 1050], ['0.05', 'GBP', 5], ['-0.05', 'GBP', -5],
    ['50000', 'XOF', 50000], ['1500', 'JPY', 1500], ['1.000', 'KWD', 1000], ['0.001', 'BHD', 1], ['1.2345', 'CLF', 12345],
    ['-0', 'GBP', 0], ['007.50', 'GBP', 750], ['90071992547409.91', 'GBP', Number.MAX_SAFE_INTEGER],
  ])('parses %s %s as %i', (value, currency, minor) => {
    const m = parseDecimal(value, currency);
    expect(m).toEqual({ amountMinor: minor, currency });
    expect(Object.is(m.amountMinor, -0)).toBe(false);
  });

  it.each([
    [1000, 'GBP', '10.00'], [5, 'GBP', '0.05'], [-5, 'GBP', '-0.05'], [0, 'GBP', '0.00'], [-123456, 'GBP', '-1234.56'],
    [50000, 'XOF', '50000'], [-7, 'JPY', '-7'], [1000, 'KWD', '1.000'], [1, 'KWD', '0.001'], [12345, 'CLF', '1.2345'],
    [Number.MAX_SAFE_INTEGER, 'GBP', '90071992547409.91'], [-Number.MAX_SAFE_INTEGER, 'JPY', '-9007199254740991'],
  ])('formats %i %s as %s', (minor, currency, text) => {
    expect(formatDecimal(money(minor, currency))).toBe(text);
  });

  it('round-trips format → parse for every currency exponent', () => {
    for (const currency of ['GBP', 'JPY', 'XOF', 'KWD', 'CLF']) {
      for (const minor of [0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 123456789, -987654321, Number.MAX_SAFE_INTEGER]) {
        const m = money(minor, currency);
        expect(parseDecimal(formatDecimal(m), currency)).toEqual(m);
      }
    }
  });

  it.each([
    ['10.001', 'GBP'], ['1.5', 'JPY'], ['1.0', 'JPY'], ['1.0001', 'KWD'], ['abc', 'GBP'], ['', 'GBP'], ['1e3', 'GBP'],
    ['+-1', 'GBP'], ['+1', 'GBP'], ['--1', 'GBP'], [' 1', 'GBP'], ['1 ', 'GBP'], ['1.00x', 'GBP'], ['$1', 'GBP'],
    ['.5', 'GBP'], ['5.', 'GBP'], ['1,000.00', 'GBP'], ['0x10', 'GBP'], ['Infinity', 'GBP'], ['NaN', 'GBP'],
    ['90071992547409.92', 'GBP'], ['9007199254740992', 'JPY'], ['1'.repeat(100), 'JPY'],
  ])('rejects %j %s', (value, currency) => expectBadInput(() => parseDecimal(value, currency), 'amount'));

  it('rejects non-strings and bad currencies', () => {
    expectBadInput(() => parseDecimal(10 as unknown as string, 'GBP'), 'amount');
    expectBadInput(() => parseDecimal('10', 'XXX'), 'currency');
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, negates and sums exactly', () => {
    expect(add(gbp(1050), gbp(-50))).toEqual(gbp(1000));
    expect(subtract(gbp(5), gbp(10))).toEqual(gbp(-5));
    expect(negate(gbp(5))).toEqual(gbp(-5));
    expect(Object.is(negate(gbp(0)).amountMinor, 0)).toBe(true);
    expect(sum([gbp(1), gbp(2), gbp(3)], 'gbp')).toEqual(gbp(6));
    expect(sum([], 'JPY')).toEqual(money(0, 'JPY'));
  });

  it('refuses to mix currencies', () => {
    expectBadInput(() => add(gbp(1), money(1, 'USD')), 'currency');
    expectBadInput(() => subtract(gbp(1), money(1, 'USD')), 'currency');
    expectBadInput(() => sum([gbp(1), money(1, 'JPY')], 'GBP'), 'currency');
    expectBadInput(() => compare(gbp(1), money(1, 'USD')), 'currency');
    expectBadInput(() => assertSameCurrency(gbp(1), money(1, 'EUR')));
    expect(() => assertSameCurrency(gbp(1), gbp(2))).not.toThrow();
  });

  it('rejects results outside the safe range', () => {
    expectBadInput(() => add(gbp(Number.MAX_SAFE_INTEGER), gbp(1)));
    expectBadInput(() => subtract(gbp(-Number.MAX_SAFE_INTEGER), gbp(1)));
  });

  it('compares and tests sign', () => {
    expect(compare(gbp(1), gbp(2))).toBe(-1);
    expect(compare(gbp(2), gbp(2))).toBe(0);
    expect(compare(gbp(3), gbp(2))).toBe(1);
    expect(isZero(gbp(0))).toBe(true);
    expect(isZero(gbp(1))).toBe(false);
    expect(isNegative(gbp(-1))).toBe(true);
    expect(isNegative(gbp(0))).toBe(false);
  });
});

describe('divideRounded', () => {
  // [numerator, denominator, floor, half_up, half_even]
  const cases: Array<[bigint, bigint, bigint, bigint, bigint]> = [
    [10n, 5n, 2n, 2n, 2n],
    [0n, 7n, 0n, 0n, 0n],
    [7n, 2n, 3n, 4n, 4n], // 3.5
    [5n, 2n, 2n, 3n, 2n], // 2.5
    [-5n, 2n, -3n, -3n, -2n], // -2.5
    [-7n, 2n, -4n, -4n, -4n], // -3.5
    [1n, 2n, 0n, 1n, 0n], // 0.5
    [-1n, 2n, -1n, -1n, 0n], // -0.5
    [1n, 3n, 0n, 0n, 0n], // 0.333
    [2n, 3n, 0n, 1n, 1n], // 0.667
    [-1n, 3n, -1n, 0n, 0n], // -0.333
    [-2n, 3n, -1n, -1n, -1n], // -0.667
    [5n, -2n, -3n, -3n, -2n], // negative denominator: -2.5
    [-5n, -2n, 2n, 3n, 2n], // both negative: 2.5
    [6400n * 10_000n + 5000n, 10_000n, 6400n, 6401n, 6400n], // 6400.5
    [9007199254740991n * 1_000_000n, 10_000n, 900719925474099100n, 900719925474099100n, 900719925474099100n],
  ];
  it.each(cases)('%s / %s', (n, d, floor, halfUp, halfEven) => {
    expect(divideRounded(n, d, 'floor')).toBe(floor);
    expect(divideRounded(n, d, 'half_up')).toBe(halfUp);
    expect(divideRounded(n, d, 'half_even')).toBe(halfEven);
  });

  it('agrees with the definition of each mode over a grid', () => {
    for (let n = -60n; n <= 60n; n++) {
      for (const d of [1n, 2n, 3n, 4n, 7n, 10n, -3n, -4n]) {
        const f = divideRounded(n, d, 'floor');
        expect(f * d === n || (d > 0n ? f * d < n && n < (f + 1n) * d : f * d > n && n > (f + 1n) * d)).toBe(true);
        // |n/d - q| <= 1/2  ⇔  |2n - 2qd| <= |d|
        const abs = (x: bigint) => (x < 0n ? -x : x);
        for (const mode of ['half_up', 'half_even'] as RoundingMode[]) {
          const q = divideRounded(n, d, mode);
          expect(abs(2n * n - 2n * q * d) <= abs(d)).toBe(true);
        }
      }
    }
  });

  it('throws on a zero denominator (a caller bug, not user input)', () => {
    expect(() => divideRounded(1n, 0n, 'floor')).toThrow(RangeError);
  });
});

describe('applyBasisPoints', () => {
  it('rounds half up by default and honours the mode', () => {
    expect(applyBasisPoints(gbp(1000), 8000)).toEqual(gbp(800));
    expect(applyBasisPoints(gbp(5), 5000)).toEqual(gbp(3)); // 2.5
    expect(applyBasisPoints(gbp(5), 5000, 'half_even')).toEqual(gbp(2));
    expect(applyBasisPoints(gbp(5), 5000, 'floor')).toEqual(gbp(2));
    expect(applyBasisPoints(gbp(-5), 5000)).toEqual(gbp(-3));
    expect(applyBasisPoints(gbp(1234), 1_000_000)).toEqual(gbp(123400));
    expect(applyBasisPoints(gbp(1234), 0)).toEqual(gbp(0));
  });

  it.each([-1, 1_000_001, 1.5, NaN])('rejects bps %d', (bps) => expectBadInput(() => applyBasisPoints(gbp(1), bps), 'bps'));

  it('rejects results outside the safe range', () => {
    expectBadInput(() => applyBasisPoints(gbp(Number.MAX_SAFE_INTEGER), 20_000));
  });
});

describe('splitByBasisPoints', () => {
  it('splits 80/20 with the builder taking the floor', () => {
    expect(splitByBasisPoints(gbp(1), 8000)).toEqual([gbp(0), gbp(1)]);
    expect(splitByBasisPoints(gbp(3), 8000)).toEqual([gbp(2), gbp(1)]);
    expect(splitByBasisPoints(gbp(1000), 8000)).toEqual([gbp(800), gbp(200)]);
    expect(splitByBasisPoints(money(50000, 'XOF'), 8000)).toEqual([money(40000, 'XOF'), money(10000, 'XOF')]);
    expect(splitByBasisPoints(money(999, 'JPY'), 8000)).toEqual([money(799, 'JPY'), money(200, 'JPY')]);
    expect(splitByBasisPoints(money(1, 'KWD'), 8000)).toEqual([money(0, 'KWD'), money(1, 'KWD')]);
  });

  it('seed example: CPA 800 GBP pays the builder 640 and the network 160', () => {
    const cpa = parseDecimal('800', 'GBP');
    const [builder, network] = splitByBasisPoints(cpa, 8000);
    expect(formatDecimal(builder)).toBe('640.00');
    expect(formatDecimal(network)).toBe('160.00');
    expect(builder.amountMinor).toBe(64000);
    expect(network.amountMinor).toBe(16000);
  });

  it('always adds up exactly, with share = floor, for 0..10000 minor units', () => {
    for (let whole = 0; whole <= 10_000; whole++) {
      const [share, remainder] = splitByBasisPoints(gbp(whole), 8000);
      expect(share.amountMinor + remainder.amountMinor).toBe(whole);
      expect(share.amountMinor).toBe((whole * 8000 - ((whole * 8000) % 10_000)) / 10_000);
      expect(share.amountMinor <= remainder.amountMinor * 4).toBe(true);
    }
  });

  it('handles the bounds and amounts whose product exceeds the safe range', () => {
    expect(splitByBasisPoints(gbp(123), 0)).toEqual([gbp(0), gbp(123)]);
    expect(splitByBasisPoints(gbp(123), 10_000)).toEqual([gbp(123), gbp(0)]);
    const [share, remainder] = splitByBasisPoints(gbp(Number.MAX_SAFE_INTEGER), 8000);
    expect(share.amountMinor).toBe(7205759403792792); // floor(9007199254740991 × 0.8)
    expect(share.amountMinor + remainder.amountMinor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('floors negative amounts toward -infinity and still adds up', () => {
    expect(splitByBasisPoints(gbp(-1), 8000)).toEqual([gbp(-1), gbp(0)]);
    expect(splitByBasisPoints(gbp(-1000), 8000)).toEqual([gbp(-800), gbp(-200)]);
  });

  it.each([-1, 10_001, 80.5])('rejects bps %d', (bps) => expectBadInput(() => splitByBasisPoints(gbp(1), bps), 'bps'));
});

describe('allocate', () => {
  const amounts = (parts: ReturnType<typeof allocate>) => parts.map((p) => p.amountMinor);

  it('gives leftovers to the largest remainders, earlier parts winning ties', () => {
    expect(amounts(allocate(gbp(100), [1, 1, 1]))).toEqual([34, 33, 33]);
    expect(amounts(allocate(gbp(5), [3, 7]))).toEqual([2, 3]); // 1.5, 3.5 → tie → first
    expect(amounts(allocate(gbp(10), [1, 0, 2]))).toEqual([3, 0, 7]); // 3.33, 0, 6.67
    expect(amounts(allocate(gbp(1), [0, 0, 5]))).toEqual([0, 0, 1]);
    expect(amounts(allocate(gbp(-100), [1, 1, 1]))).toEqual([-33, -33, -34]);
    expect(amounts(allocate(gbp(1000), [8000, 2000]))).toEqual([800, 200]);
  });

  it('always sums exactly to the whole', () => {
    const weightSets = [[1], [1, 1], [1, 2, 3], [7, 0, 13, 1], [3, 3, 3, 3, 3, 3, 3], [1, 1_000_000], [8000, 2000]];
    for (const weights of weightSets) {
      for (const whole of [0, 1, 2, 3, 7, 99, 100, 101, 12345, -1, -77, Number.MAX_SAFE_INTEGER]) {
        const parts = allocate(money(whole, 'JPY'), weights);
        expect(parts).toHaveLength(weights.length);
        expect(sum(parts, 'JPY').amountMinor).toBe(whole);
        parts.forEach((p, i) => weights[i] === 0 && expect(p.amountMinor).toBe(0));
      }
    }
  });

  it.each([[[]], [[0, 0]], [[1, -1]], [[0.5, 1]], [[NaN]]])('rejects weights %j', (weights) =>
    expectBadInput(() => allocate(gbp(1), weights), 'weights'),
  );
});
