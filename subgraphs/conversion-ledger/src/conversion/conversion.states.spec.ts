// Every transition of the conversion status table, legal and illegal.
import { stateTableProblems } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { ConversionStatus as S } from './conversion.enums.js';
import { assertTransition, canTransition, conversionStates, transitions } from './conversion.states.js';

const legal: Array<[S, S]> = [
  [S.PENDING, S.VALIDATED], [S.PENDING, S.CLAWED_BACK], [S.PENDING, S.DISPUTED], [S.PENDING, S.REJECTED],
  [S.VALIDATED, S.PAYABLE], [S.VALIDATED, S.CLAWED_BACK], [S.VALIDATED, S.DISPUTED],
  [S.PAYABLE, S.PAID], [S.PAYABLE, S.CLAWED_BACK], [S.PAYABLE, S.DISPUTED],
  [S.PAID, S.CLAWED_BACK], [S.PAID, S.DISPUTED],
  [S.DISPUTED, S.PENDING], [S.DISPUTED, S.VALIDATED], [S.DISPUTED, S.PAYABLE], [S.DISPUTED, S.PAID], [S.DISPUTED, S.CLAWED_BACK],
];

describe('conversion transitions', () => {
  const all = Object.values(S);
  for (const from of all) {
    for (const to of all) {
      const ok = legal.some(([a, b]) => a === from && b === to);
      it(`${from} → ${to} is ${ok ? 'legal' : 'illegal'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_STATE_TRANSITION' }) }));
      });
    }
  }

  it('has terminal CLAWED_BACK and REJECTED, and an entry for every status', () => {
    expect(Object.keys(transitions).sort()).toEqual([...all].sort());
    expect(transitions[S.CLAWED_BACK]).toEqual([]);
    expect(transitions[S.REJECTED]).toEqual([]);
  });

  it('is a sound table (shared state-table check)', () => {
    expect(stateTableProblems(conversionStates, all)).toEqual([]);
  });
});
