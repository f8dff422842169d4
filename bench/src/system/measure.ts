// What bench:system measures with: a closed-loop driver (N workers, each starting its next
// operation when the last one ends), rates per one-second bucket (the figure is their median, so
// a burst of someone else's work on this shared machine moves it less than a mean), and /proc
// sampling of each process's RSS.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const round = (n: number, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : NaN);

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Events per second in whole one-second buckets of [from, to). */
export function bucketRates(times: number[], from: number, to: number, bucketMs = 1000): number[] {
  const n = Math.max(1, Math.floor((to - from) / bucketMs));
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    const b = Math.floor((t - from) / bucketMs);
    if (b >= 0 && b < n) counts[b]! += 1;
  }
  return counts.map((c) => (c * 1000) / bucketMs);
}

export interface Rate {
  /** Median of the one-second rates: the figure. */
  median: number;
  /** Completed in the window / window seconds. */
  mean: number;
  min: number;
  max: number;
  count: number;
  seconds: number;
}

export function rateOf(times: number[], from: number, to: number): Rate {
  const buckets = bucketRates(times, from, to);
  const inWindow = times.filter((t) => t >= from && t < to).length;
  return {
    median: round(percentile(buckets, 50)),
    mean: round(inWindow / ((to - from) / 1000)),
    min: Math.min(...buckets),
    max: Math.max(...buckets),
    count: inWindow,
    seconds: round((to - from) / 1000),
  };
}

export interface LoopResult {
  concurrency: number;
  rate: Rate;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: Record<string, number>;
}

/**
 * `concurrency` workers run `op` back to back for warmup + duration; completions inside the
 * measured window (after the warmup) count. Errors are tallied by `classify` and the worker goes on.
 */
export async function closedLoop(
  concurrency: number,
  timing: { warmupMs: number; durationMs: number },
  op: (worker: number, seq: number) => Promise<void>,
  classify: (err: unknown) => string = (err) => (err instanceof Error ? err.message.slice(0, 80) : String(err)),
): Promise<LoopResult> {
  const start = Date.now();
  const from = start + timing.warmupMs;
  const to = from + timing.durationMs;
  const done: number[] = [];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let seq = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < to) {
        const t0 = Date.now();
        const p0 = performance.now();
        try {
          await op(worker, seq++);
          const t1 = Date.now();
          done.push(t1);
          if (t0 >= from && t1 < to) latencies.push(round(performance.now() - p0, 1));
        } catch (err) {
          const k = classify(err);
          errors[k] = (errors[k] ?? 0) + 1;
          await sleep(50);
        }
      }
    }),
  );
  return { concurrency, rate: rateOf(done, from, to), latencyP50Ms: percentile(latencies, 50), latencyP99Ms: percentile(latencies, 99), errors };
}

/** VmRSS of a process in MiB, or undefined if it is gone. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of named processes every `everyMs`; peaks per phase and over the whole run. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private phase: Map<string, number> = new Map();
  readonly overall = new Map<string, number>();

  constructor(
    private readonly pids: () => Array<[string, number | undefined]>,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  sample(): void {
    for (const [name, pid] of this.pids()) {
      const rss = rssMiB(pid);
      if (rss === undefined) continue;
      this.phase.set(name, Math.max(this.phase.get(name) ?? 0, rss));
      this.overall.set(name, Math.max(this.overall.get(name) ?? 0, rss));
    }
  }

  /** The peaks since the last call (rounded MiB), and starts a new phase. */
  takePhase(): Record<string, number> {
    this.sample();
    const out = Object.fromEntries([...this.phase.entries()].map(([k, v]) => [k, Math.round(v)]));
    this.phase = new Map();
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export const load = () => loadavg().map((l) => round(l, 2));
