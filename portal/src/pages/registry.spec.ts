import { describe, expect, it } from 'vitest';
import { pages, pagesFrom } from './registry';

describe('page registry', () => {
  it('finds every page folder, in navigation order', () => {
    expect(pages.map((p) => p.path)).toEqual(['live', 'overview', 'payments', 'payments/:id', 'checkout-sessions', 'checkout-sessions/:id', 'conversions', 'conversions/:id', 'developers', 'settings', 'team', 'account']);
    expect(pages.every((p) => p.Component)).toBe(true);
  });

  it('refuses a meta.ts without its Page.tsx', () => {
    expect(() => pagesFrom({ './x/meta.ts': { path: 'x', order: 1 } }, {})).toThrow(/no Page.tsx/);
  });
});
