import { describe, expect, it } from 'vitest';
import { fallbackReasonLogger } from './fallback-reasons.js';

describe('fallback reasons', () => {
  it('logs each reason once, and at most `max` reasons', () => {
    const lines: Array<{ reason: string }> = [];
    const tell = fallbackReasonLogger({ info: (obj: { reason: string }) => void lines.push(obj) } as never, 3);
    for (const r of ['introspection', 'abstract type Node', 'introspection', 'directive @defer', 'alias a', 'alias b']) tell(r);
    expect(lines.map((l) => l.reason)).toEqual(['introspection', 'abstract type Node', 'directive @defer']);
  });
});
