import { describe, expect, it } from 'vitest';
import { allocate } from './reservation.allocate.js';

const stock = [
  { offerId: 'o1', locationId: 'default', available: 2 },
  { offerId: 'o1', locationId: 'soho', available: 3 },
  { offerId: 'o2', locationId: 'soho', available: 1 },
];
const line = (position: number, offerId: string | null, quantity: number) => ({ position, offerId, quantity });

describe('allocate', () => {
  it('best_fit takes from the location with most left first, splits a line, and holds a short line in part', () => {
    const r = allocate([line(1, 'o1', 4), line(2, 'o2', 2)], stock, 'best_fit', null);
    expect(r.refused).toBe(false);
    expect(r.lines).toEqual([
      { position: 1, offerId: 'o1', requested: 4, reserved: 4, tracked: true, allocations: [{ locationId: 'soho', quantity: 3 }, { locationId: 'default', quantity: 1 }] },
      { position: 2, offerId: 'o2', requested: 2, reserved: 1, tracked: true, allocations: [{ locationId: 'soho', quantity: 1 }] },
    ]);
  });

  it('counts two lines of one offer against the same stock', () => {
    const r = allocate([line(1, 'o1', 4), line(2, 'o1', 4)], stock, 'best_fit', null);
    expect(r.lines.map((l) => l.reserved)).toEqual([4, 1]);
  });

  it('holds an offer with no stock level (and a line without an offer) in full, untracked', () => {
    const r = allocate([line(1, 'o9', 7), line(2, null, 1)], stock, 'all_or_nothing', null);
    expect(r).toEqual({ refused: false, lines: [line(1, 'o9', 7), line(2, null, 1)].map((l) => ({ ...l, requested: l.quantity, reserved: l.quantity, tracked: false, allocations: [] })).map(({ quantity: _q, ...l }) => l) });
  });

  it('all_or_nothing refuses when any line is short; best_fit refuses only when nothing at all is held', () => {
    expect(allocate([line(1, 'o1', 1), line(2, 'o2', 2)], stock, 'all_or_nothing', null).refused).toBe(true);
    expect(allocate([line(1, 'o2', 5)], [{ offerId: 'o2', locationId: 'soho', available: 0 }], 'best_fit', null).refused).toBe(true);
  });

  it('single_location finds one location with everything, else refuses', () => {
    const r = allocate([line(1, 'o1', 3), line(2, 'o2', 1)], stock, 'single_location', null);
    expect(r.refused).toBe(false);
    expect(r.lines.flatMap((l) => l.allocations.map((a) => a.locationId))).toEqual(['soho', 'soho']);
    expect(allocate([line(1, 'o1', 5)], stock, 'single_location', null).refused).toBe(true);
  });

  it('a chosen location narrows where stock comes from; negative availability (on hand lowered under holds) counts as none', () => {
    expect(allocate([line(1, 'o1', 3)], stock, 'best_fit', ['default']).lines[0]).toMatchObject({ reserved: 2, allocations: [{ locationId: 'default', quantity: 2 }] });
    expect(allocate([line(1, 'o1', 1)], [{ offerId: 'o1', locationId: 'default', available: -4 }], 'best_fit', null).refused).toBe(true);
  });
});
