// `bench:system -- --only tracing` (issue 24, item 1's measure): agent checkouts/s through the
// whole system with tracing off (no OTLP endpoint: the SDK never starts), on at 1 % sampling
// (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 0.01) and on at 100 % (parentbased_always_on),
// in one run: a Handoff (gateway, four subgraphs, four workers, sandbox PSP as separate
// processes) per mode, the three started together and measured in turn, round after round (so
// drift in the machine's load hits all three alike), exporting http/protobuf to a sink in this process that
// reads each request and answers 200 (it counts what arrived, so "on" is known to export).
// Reported as ratios to "off": checkouts/s (wall clock) and CPU ms per checkout of every Handoff
// process over the whole run (from /proc: the figure other load on the machine moves least).
import { createServer, type Server } from 'node:http';
import { freePort } from '@handoff/launcher';
import { startSystemHandoff } from '../harness/harness.js';
import { setUpCommerceWorld, type CheckedOutIntent, type CommerceWorld } from '../harness/world.js';
import { Accounting, type PhaseCost } from './accounting.js';
import { measureCheckouts } from './checkout.js';
import { load, round, sleep, type LoopResult } from './measure.js';

export const TRACING_MODES = [
  { mode: 'off', env: {} },
  { mode: '1% sampled', env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' } },
  { mode: '100% sampled', env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
] as const;

export interface TracingMode {
  mode: string;
  checkouts: LoopResult;
  cost: PhaseCost;
  /** What the mode's sink received over the run (warm-up included). */
  exported: { requests: number; bytes: number };
  load: number[];
  /** Checkouts/s (mean) of each round. */
  roundMeans: number[];
}

/** The server is shared (CI runs beside): a query refused for "too many clients" is tried again. */
export async function retried<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !/too many clients/.test(String(err))) throw err;
      await sleep(1000);
    }
  }
}

/** An OTLP/HTTP receiver that discards: reads the body, answers 200, counts. */
async function startSink(): Promise<{ url: string; counts: { requests: number; bytes: number }; close(): Promise<void> }> {
  const counts = { requests: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    req.on('data', (c: Buffer) => {
      counts.bytes += c.length;
    });
    req.on('end', () => {
      counts.requests += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf', 'content-length': 0 });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, counts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function measureTracingModes(
  opts: { concurrency: number; rounds: number; warmupMs: number; timing: { warmupMs: number; durationMs: number } },
  log: (line: string) => void,
): Promise<TracingMode[]> {
  // A sink per mode: what each stack exported, whenever its batch processor sends it.
  const sinks = await Promise.all(TRACING_MODES.map(() => startSink()));
  const startedAt = Date.now();
  // The three stacks at once (they idle while another is measured), small pools (3): 30 processes share the server's connections.
  // Each gateway's metrics listener on a port of its own (production's default, 9464, is one port).
  const metricsPorts = [await freePort(), await freePort(), await freePort()];
  const stacks = await Promise.allSettled(
    TRACING_MODES.map((m, i) =>
      startSystemHandoff({
        databasePrefix: 'handoff_bench_tracing',
        extraEnv: { NODE_ENV: 'production', DB_POOL_SIZE: '3', METRICS_PORT: String(metricsPorts[i]), ...(m.mode === 'off' ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sinks[i]!.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', ...m.env }) },
      }),
    ),
  );
  const running = stacks.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = stacks.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    log(`tracing: three Handoffs started in ${round((Date.now() - startedAt) / 1000)} s`);
    const setups: Array<{ h: (typeof running)[number]; world: CommerceWorld; acct: Accounting; rounds: LoopResult[]; costs: PhaseCost[]; loads: number[][]; start: Awaited<ReturnType<Accounting['snapshot']>>; ops: number }> = [];
    for (let i = 0; i < TRACING_MODES.length; i++) {
      const h = running[i]!;
      const world = await setUpCommerceWorld(h.graphqlUrl, h.adminKey, 'Tracing');
      const acct = new Accounting(h.postgres, () => [...h.processes.entries()].map(([n, p]) => [n, p.pid]));
      // Warm (JIT, pools, caches), not measured.
      await measureCheckouts(h.graphqlUrl, world, opts.concurrency, { warmupMs: opts.warmupMs, durationMs: 0 }, []);
      setups.push({ h, world, acct, rounds: [], costs: [], loads: [], start: undefined as never, ops: 0 });
    }
    // Each stack's CPU is counted from before the first round to after the last (its idle time while
    // the others run, and the work its checkouts left behind, included), over all its checkouts.
    for (const s of setups) s.start = await retried(() => s.acct.snapshot());
    for (let r = 0; r < opts.rounds; r++) {
      for (let i = 0; i < TRACING_MODES.length; i++) {
        const m = TRACING_MODES[i]!;
        const s = setups[i]!;
        const t = await retried(() => s.acct.snapshot());
        const intents: CheckedOutIntent[] = [];
        const res = await measureCheckouts(s.h.graphqlUrl, s.world, opts.concurrency, opts.timing, intents);
        const c = await retried(() => s.acct.since(t, intents.length));
        s.ops += intents.length;
        s.rounds.push(res);
        s.loads.push(load());
        log(`  round ${r + 1} ${m.mode}: ${res.rate.median}/s (mean ${res.rate.mean}), p50 ${res.latencyP50Ms} ms, errors ${JSON.stringify(res.errors)}; in the round, CPU ms/checkout ${c.perOp?.totalCpuMs} ${JSON.stringify(c.perOp?.cpuMs)}`);
      }
    }
    await sleep(3000);
    for (const s of setups) s.costs.push(await retried(() => s.acct.since(s.start, s.ops)));
    return TRACING_MODES.map((m, i) => {
      const s = setups[i]!;
      const count = s.rounds.reduce((a, x) => a + x.rate.count, 0);
      const seconds = s.rounds.reduce((a, x) => a + x.rate.seconds, 0);
      const last = s.rounds.at(-1)!;
      return {
        mode: m.mode,
        checkouts: { ...last, rate: { ...last.rate, mean: round(count / seconds), median: round(s.rounds.reduce((a, x) => a + x.rate.median, 0) / s.rounds.length), count, seconds } },
        cost: s.costs.at(-1)!,
        exported: { ...sinks[i]!.counts },
        load: s.loads.at(-1)!,
        roundMeans: s.rounds.map((x) => x.rate.mean),
      };
    });
  } finally {
    await Promise.allSettled(running.map((h) => h.stop()));
    await Promise.all(sinks.map((k) => k.close()));
  }
}

/**
 * CPU ms per checkout of Handoff's processes (from /proc, over the whole run). PostgreSQL's
 * backends are left out here: idle pools close connections between rounds, and a backend gone
 * takes its CPU time with it; the per-round figures in the log include them.
 */
export function processCpuMs(m: TracingMode): number {
  const by = m.cost.perOp?.cpuMs ?? {};
  return round(Object.entries(by).reduce((a, [n, v]) => (n === 'bench client' || n === 'postgres backends' || n.startsWith('pg:') ? a : a + v), 0), 1);
}

export function tracingTable(modes: TracingMode[]): string {
  const off = modes.find((m) => m.mode === 'off')!;
  const lines = [
    "| tracing | checkouts/s (mean over rounds; rounds) | × off | CPU ms per checkout, Handoff's processes (whole run) | × off (off / mode: higher is cheaper) | p50 / p99 ms (last round) | OTLP received (whole run) | load average after |",
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const m of modes) {
    const cpu = processCpuMs(m);
    lines.push(
      `| ${m.mode} | ${m.checkouts.rate.mean} (${m.roundMeans.join(', ')}) | **${round(m.checkouts.rate.mean / off.checkouts.rate.mean, 2)}×** | ${cpu} | **${round(processCpuMs(off) / cpu, 2)}×** | ${m.checkouts.latencyP50Ms} / ${m.checkouts.latencyP99Ms} | ${m.exported.requests} requests, ${round(m.exported.bytes / 1024)} KiB | ${m.load.join(' ')} |`,
    );
  }
  lines.push('', ...modes.map((m) => `CPU ms per checkout by process, ${m.mode}: ${JSON.stringify(m.cost.perOp?.cpuMs)}`));
  return lines.join('\n');
}
