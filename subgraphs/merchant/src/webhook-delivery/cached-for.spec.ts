import { describe, expect, it, vi } from 'vitest';
import { cachedFor } from './cached-for.js';

describe('cachedFor', () => {
  it('reads a key once while fresh, again once stale, and forgets a failed read', async () => {
    vi.useFakeTimers();
    try {
      let fail = true;
      const read = vi.fn(async (k: string) => {
        if (fail) throw new Error('down');
        return `${k}!`;
      });
      const get = cachedFor(1000, read);
      await expect(get('a')).rejects.toThrow('down');
      fail = false;
      expect(await Promise.all([get('a'), get('a'), get('b')])).toEqual(['a!', 'a!', 'b!']);
      expect(read).toHaveBeenCalledTimes(3);
      vi.advanceTimersByTime(1001);
      expect(await get('a')).toBe('a!');
      expect(read).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
