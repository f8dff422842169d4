// Ids from the pooled random source: ULIDs (Crockford base32, 26 characters, the time first), all
// different, every random character seen (the pool's bytes map onto all 32).
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { IdPrefix, newId } from './ids.js';

describe('newId', () => {
  it('makes distinct, well-formed, time-ordered ULIDs across pool refills', () => {
    const before = Date.now();
    const ids = Array.from({ length: 2000 }, () => newId(IdPrefix.calculation)); // 32,000 random bytes: several refills
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^calc_[0-9A-HJKMNP-TV-Z]{26}$/);
    const t = decodeTime(ids[0]!.slice(5));
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(new Set(ids.flatMap((id) => [...id.slice(15)])).size).toBe(32);
  });
});
