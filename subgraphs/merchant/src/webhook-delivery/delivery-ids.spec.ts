import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { deliveryIds } from './delivery-ids.js';

describe('deliveryIds', () => {
  it('makes distinct, valid, increasing wd_ ULIDs of the current time', () => {
    const before = Date.now();
    const ids = [...deliveryIds(16), ...deliveryIds(5000)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id.startsWith('wd_') && isValid(id.slice(3))).toBe(true);
      expect(decodeTime(id.slice(3))).toBeGreaterThanOrEqual(before);
    }
    expect([...ids].sort()).toEqual(ids);
  });
});
