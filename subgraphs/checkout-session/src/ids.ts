// Ids of this subgraph: a short prefix naming the kind, then a ULID (so ids sort by creation).
// The ULID's random part comes from a pool of crypto-random bytes refilled 4 kB at a time: the
// library's default asks the system for one byte per character (16 native calls per id, a
// measurable share of a calculation's CPU). Each byte gives one of 32 characters uniformly (256/32).
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';

let pool = randomBytes(4096);
let next = 0;
/** A uniform number in [0, 1) in steps of 1/256, from the pool. */
function pooledRandom(): number {
  if (next >= pool.length) {
    pool = randomBytes(4096);
    next = 0;
  }
  return pool[next++]! / 256;
}

export const IdPrefix = { agentSession: 'ags', recommendation: 'rec', checkoutSession: 'cs', calculation: 'calc', reservation: 'rsv' } as const;

export const newId = (prefix: (typeof IdPrefix)[keyof typeof IdPrefix]): string => `${prefix}_${ulid(undefined, pooledRandom)}`;
