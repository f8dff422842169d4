// How far V8 lets a process's heap grow past what its last full GC kept before the next one.
// V8's own factor is up to 4× when the heap limit is large (as on a machine with plenty of
// memory): under load a Handoff process's old space filled with garbage to several times its
// live size before a full GC, and its RSS with it (bench/RESULTS.md). A fixed factor keeps the
// peak near the steady state. V8 reads this flag each time it sets the next limit, so setting
// it at the start of a process takes effect; every main (gateway and subgraph) calls this first.
import { setFlagsFromString } from 'node:v8';

/** `percent` (a whole number, as the config schema has it) 0 leaves V8's own factor. */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
