// Delivery ids (`wd_` + ULID) made in bulk: the intake makes one per endpoint a merchant may have
// for every event (most go unused), and `ulid()` asks the OS for randomness once per character
// (16 × 16 calls an event: the worker's largest cost under load). Here the randomness comes from
// a pool refilled 4 KiB at a time, and ids are monotonic (ulid's monotonicFactory), so the ids of
// one event are in creation order within the millisecond too (the delivery log pages by id).
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const pool = Buffer.alloc(4096);
let next = pool.length;

/** A uniform draw in [0, 1) from the pool (ulid's PRNG contract). */
function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

const monotonic = monotonicFactory(pooledRandom);

/** `count` new delivery ids, increasing. */
export function deliveryIds(count: number): string[] {
  return Array.from({ length: count }, () => `wd_${monotonic()}`);
}
