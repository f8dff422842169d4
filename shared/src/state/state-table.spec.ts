import { describe, expect, it } from 'vitest';
import { allowedMoves, stateTableProblems } from './state-table.check.js';
import { assertTransition, canTransition, isTerminal, sqlStatus, stateMove, stateTable } from './state-table.js';

type Light = 'GREEN' | 'AMBER' | 'RED' | 'OFF';
const lights = stateTable<Light>('traffic_light', { GREEN: ['AMBER', 'OFF'], AMBER: ['RED'], RED: ['GREEN'], OFF: [] });
const refusedWith = (message: string, reason: string) =>
  expect.objectContaining({ message, extensions: expect.objectContaining({ code: 'INVALID_STATE_TRANSITION', reason }) });

describe('stateTable', () => {
  it('allows exactly the moves listed', () => {
    expect(allowedMoves(lights)).toEqual(['AMBER->RED', 'GREEN->AMBER', 'GREEN->OFF', 'RED->GREEN']);
    expect(canTransition(lights, 'GREEN', 'AMBER')).toBe(true);
    expect(canTransition(lights, 'GREEN', 'RED')).toBe(false);
    expect(canTransition(lights, 'NOPE' as Light, 'RED')).toBe(false);
    expect(isTerminal(lights, 'OFF')).toBe(true);
    expect(isTerminal(lights, 'RED')).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(lights.moves)).toBe(true);
    expect(Object.isFrozen(lights.moves.GREEN)).toBe(true);
  });

  it('refuses other moves with INVALID_STATE_TRANSITION, in its words or the caller’s', () => {
    expect(() => assertTransition(lights, 'GREEN', 'AMBER')).not.toThrow();
    expect(() => assertTransition(lights, 'GREEN', 'RED')).toThrow(
      refusedWith('A traffic light cannot go from GREEN to RED.', 'traffic_light:GREEN->RED'),
    );
    const worded = stateTable<Light>('light', lights.moves, (from, to) => `No ${from} to ${to}.`);
    expect(() => assertTransition(worded, 'OFF', 'RED')).toThrow(refusedWith('No OFF to RED.', 'light:OFF->RED'));
    expect(() => assertTransition(lights, 'OFF', 'RED', { message: 'It is off.', reason: 'light:off' })).toThrow(refusedWith('It is off.', 'light:off'));
    expect(() => assertTransition(stateTable<Light>('agent_light', lights.moves), 'OFF', 'RED')).toThrow(
      refusedWith('An agent light cannot go from OFF to RED.', 'agent_light:OFF->RED'),
    );
  });
});

describe('stateMove', () => {
  it('walks the table and counts its steps', () => {
    expect(stateMove(lights, 'stop', 'GREEN', 'AMBER', 'RED')).toEqual({ name: 'stop', path: ['GREEN', 'AMBER', 'RED'], from: 'GREEN', to: 'RED', steps: 2 });
  });

  it('refuses a path the table does not allow, naming the step', () => {
    expect(() => stateMove(lights, 'jump', 'GREEN', 'RED')).toThrow('State move jump: the traffic_light table does not allow GREEN -> RED.');
    expect(() => stateMove(lights, 'restart', 'AMBER', 'RED', 'OFF')).toThrow('does not allow RED -> OFF');
  });

  it('quotes status names for SQL and nothing else', () => {
    expect(sqlStatus('PAYABLE')).toBe("'PAYABLE'");
    for (const bad of ["PAID'; DROP TABLE x; --", '', 'A B', "O'K"]) expect(() => sqlStatus(bad)).toThrow('Not a status name');
  });
});

describe('stateTableProblems', () => {
  it('finds nothing wrong with a sound table', () => {
    expect(stateTableProblems(lights, ['GREEN', 'AMBER', 'RED', 'OFF'])).toEqual([]);
  });

  it('names a missing row, an unknown status, a move to itself and a duplicate', () => {
    const bad = stateTable<string>('bad', { GREEN: ['GREEN', 'AMBER', 'AMBER'], AMBER: ['BLUE'], PURPLE: [] });
    expect(stateTableProblems(bad, ['GREEN', 'AMBER', 'RED'])).toEqual([
      'RED has no row',
      'GREEN -> GREEN: a move to itself',
      'GREEN -> AMBER: listed twice',
      'AMBER -> BLUE: BLUE is not a status',
      'PURPLE is not a status',
    ]);
  });
});
