import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext', () => {
  it('keeps a path inside the portal', () => {
    expect(safeNext('/overview?x=1')).toBe('/overview?x=1');
  });
  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '', null, '/login?next=/x'])('refuses %s', (next) => {
    expect(safeNext(next)).toBe('/');
  });
});
