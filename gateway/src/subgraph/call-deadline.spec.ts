import { describe, expect, it } from 'vitest';
import { callDeadlines } from './call-deadline.js';

describe('subgraph call deadlines', () => {
  const deadlineOf = callDeadlines(10_000, { runSettlement: 300_000 });

  it('gives a mutation with a long-running root field that field’s deadline', () => {
    expect(deadlineOf('mutation($asOf:DateTime){runSettlement(input:{asOf:$asOf}){id}}')).toBe(300_000);
    expect(deadlineOf('mutation Run{ batches: runSettlement { id } }')).toBe(300_000);
    expect(deadlineOf('mutation{ reportConversion(input:{}) { id } runSettlement { id } }')).toBe(300_000);
  });

  it('gives everything else the ordinary timeout', () => {
    expect(deadlineOf('mutation{ reportConversion(input:{}) { id } }')).toBe(10_000);
    expect(deadlineOf('query{ settlementBatches { id runSettlement } }')).toBe(10_000);
    expect(deadlineOf('{ runSettlement }')).toBe(10_000);
    expect(deadlineOf('mutation{ constructor { id } }')).toBe(10_000);
    expect(deadlineOf('mutation{ runSettlement(')).toBe(10_000); // unreadable: the subgraph refuses it
  });

  it('never shortens a call below the ordinary timeout', () => {
    expect(callDeadlines(10_000, { runSettlement: 5_000 })('mutation{ runSettlement { id } }')).toBe(10_000);
  });
});
