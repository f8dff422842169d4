import { describe, expect, it } from 'vitest';
import { describeUserAgent, ownerCount, sessionOrder } from './team-logic';

describe('describeUserAgent', () => {
  it('names the browser and the system', () => {
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36')).toBe('Headless Chrome on Linux');
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0')).toBe('Edge on Windows');
    expect(describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox on macOS');
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
  });

  it('says what it cannot tell', () => {
    expect(describeUserAgent(null)).toBe('Unknown browser');
    expect(describeUserAgent('  ')).toBe('Unknown browser');
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent('my-script')).toBe('my-script');
    expect(describeUserAgent('x'.repeat(80))).toBe(`${'x'.repeat(60)}…`);
  });
});

describe('sessionOrder', () => {
  it('puts this session first, then the most recently used', () => {
    const s = (id: string, current: boolean, lastSeenAt: string) => ({ id, current, lastSeenAt });
    const order = sessionOrder([s('a', false, '2026-12-01T10:00:00Z'), s('b', false, '2026-12-03T10:00:00Z'), s('c', true, '2026-12-02T10:00:00Z')]);
    expect(order.map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('ownerCount', () => {
  it('counts the owners', () => {
    expect(ownerCount([{ role: 'OWNER' }, { role: 'ANALYST' }, { role: 'OWNER' }])).toBe(2);
    expect(ownerCount([])).toBe(0);
  });
});
