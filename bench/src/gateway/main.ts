// `npm run bench:gateway`: Handoff's gateway beside stock @apollo/gateway, Hive Gateway, the floor
// (hand-written, no GraphQL engine) and a direct subgraph call, over the same fixture subgraphs.
//
// Placement (2 cores): every gateway process is pinned to CPU 0 and only one is under load at a
// time; the fixture subgraphs, the load generator and this orchestrator share CPU 1. Targets are
// measured in alternation (A B C D E, A B C D E, …) for several rounds after a warm-up, and the
// median of the rounds is reported, with the spread, so drift and noise show.
//
// Flags: --quick (seconds, writes nothing unless --out), --rounds N, --seconds S, --warmup S,
// --queries Q1,Q2,Q3,Q4,Q1P, --conns 1,32, --targets handoff,stock,hive,floor,direct, --out FILE (JSON),
// --md FILE, --no-write. Tracing's cost: `--targets handoff,traced --queries Q1` adds Handoff's
// gateway with tracing on (OTLP http/protobuf to a local sink that discards, sampling
// parentbased_traceidratio at --trace-ratio, default 0.01) beside the same gateway with it off.
// --profile DIR (CPU profiles of the gateways), --gateway-node-args "FLAGS" (node flags for
// Handoff's gateway only: an experiment, e.g. "--max-semi-space-size=8").
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, createWriteStream } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeSupergraph } from '@handoff/launcher/composition';
import { BENCH_API_KEY, FIXTURE_SDL, FIXTURE_SUBGRAPHS } from './fixtures.js';
import { runAutocannon, runWrk, wrkAvailable, type LoadResult, type LoadSpec } from './load.js';
import { QUERIES, type QueryName } from './queries.js';
import { renderMarkdown, summarize, type BenchReport, type Measurement } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');

type TargetName = 'handoff' | 'traced' | 'stock' | 'hive' | 'floor' | 'direct';
/** The default set; `traced` (tracing on) only when asked for. */
const ALL_TARGETS: TargetName[] = ['handoff', 'stock', 'hive', 'floor', 'direct'];

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = flag('quick');
  return {
    quick,
    rounds: Number(value('rounds') ?? (quick ? 1 : 3)),
    seconds: Number(value('seconds') ?? (quick ? 1 : 4)),
    warmup: Number(value('warmup') ?? (quick ? 1 : 3)),
    queries: (value('queries') ?? 'Q1,Q2,Q3,Q4,Q1P').split(',') as QueryName[],
    conns: (value('conns') ?? '1,32').split(',').map(Number),
    targets: (value('targets') ?? ALL_TARGETS.join(',')).split(',') as TargetName[],
    write: !flag('no-write') && (!quick || value('out') !== undefined),
    out: value('out') ?? join(repoRoot, 'bench/results/gateway.json'),
    md: value('md') ?? join(repoRoot, 'bench/RESULTS.md'),
    loader: value('loader') ?? (wrkAvailable() ? 'wrk' : 'autocannon'),
    /** Write a V8 CPU profile of every gateway target into this folder (node --cpu-prof). */
    profile: value('profile'),
    /**
     * Extra node flags for Handoff's gateway (`handoff`, `traced`), space-separated: an experiment
     * knob (e.g. `--max-semi-space-size=8`, which trades young-generation size for RSS). Off by default.
     */
    gatewayNodeArgs: (value('gateway-node-args') ?? '').split(/\s+/).filter(Boolean),
    /** The `traced` target's sampling ratio (OTEL_TRACES_SAMPLER_ARG). */
    traceRatio: value('trace-ratio') ?? '0.01',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/** Starts `node file` (pinned to `cpu` when possible); resolves once a line matches `ready`. */
function start(name: string, file: string, env: Record<string, string>, cpu: string | undefined, logDir: string, ready = /READY (.*)/, nodeArgs: string[] = []): Promise<{ child: ChildProcess; line: string }> {
  const argv = [...nodeArgs, file];
  const child = cpu ? spawn('taskset', ['-c', cpu, process.execPath, ...argv], { env: { ...process.env, ...env } }) : spawn(process.execPath, argv, { env: { ...process.env, ...env } });
  children.push(child);
  const log = createWriteStream(join(logDir, `${name}.log`));
  child.stderr!.pipe(log);
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s (log: ${join(logDir, `${name}.log`)})`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      log.write(c);
      buf += c.toString();
      const m = ready.exec(buf);
      if (m) {
        clearTimeout(timer);
        buf = '';
        resolve({ child, line: m[1]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready; log: ${join(logDir, `${name}.log`)}`));
    });
  });
}

async function waitFor(url: string, init: RequestInit, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url, init);
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`${url} never answered 200`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS;
  } catch {
    return NaN;
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Canonical JSON (sorted keys), to compare answers whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The OTLP sink of the `traced` target (in this process, on the side CPU): it counts and discards. */
let traceSink: { url: string; exports: number; bytes: number } | undefined;

async function tracingEnv(ratio: string, log: (s: string) => void): Promise<Record<string, string>> {
  if (!traceSink) {
    const sink = { url: '', exports: 0, bytes: 0 };
    const server = createHttpServer((req, res) => {
      req.on('data', (c: Buffer) => (sink.bytes += c.length));
      req.on('end', () => {
        sink.exports += 1;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    sink.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    traceSink = sink;
    log(`trace sink on ${sink.url} (traced: parentbased_traceidratio ${ratio})`);
  }
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: traceSink.url,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${traceSink.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: ratio,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pin = hasTaskset();
  if (pin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const gatewayCpu = pin ? '0' : undefined;
  const sideCpu = pin ? '1' : undefined;
  const work = mkdtempSync(join(tmpdir(), 'handoff-bench-'));
  const secret = randomBytes(32).toString('base64url');
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`bench:gateway — load generator ${args.loader}${args.loader === 'autocannon' ? ' (wrk not found: `apt-get install wrk` for a lighter generator)' : ''}; ${pin ? 'gateway on CPU 0, fixtures + load generator on CPU 1' : 'NOT pinned (no taskset or < 2 CPUs)'}; logs in ${work}`);

  // Fixture subgraphs, then the supergraph over their open ports.
  const fixtures = await start('fixtures', join(here, 'fixture-server.js'), { HANDOFF_INTERNAL_SECRET: secret }, sideCpu, work);
  const ports = JSON.parse(fixtures.line) as Record<string, { signed: number; open: number }>;
  const url = (n: string, kind: 'signed' | 'open') => `http://127.0.0.1:${ports[n]![kind]}/graphql`;
  const { supergraphSdl } = composeSupergraph(FIXTURE_SUBGRAPHS.map((name) => ({ name, url: url(name, 'open'), sdl: FIXTURE_SDL[name] })));
  const supergraphPath = join(work, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphSdl);
  const signedUrls = {
    MERCHANT_URL: url('merchant', 'signed'),
    CHECKOUT_SESSION_URL: url('checkout-session', 'signed'),
    PAYMENT_INTENT_URL: url('payment-intent', 'signed'),
    CONVERSION_LEDGER_URL: url('conversion-ledger', 'signed'),
  };

  // Persisted documents (Q1P): Handoff knows the bench's texts from a trusted-documents manifest
  // (TRUSTED_DOCUMENTS=allow: other texts still run, e.g. the plan-miss probe's); stock Apollo
  // Server learns them through APQ in the check below. Hive Gateway's runtime has no persisted
  // documents by default: it sits Q1P out.
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const manifestPath = join(work, 'trusted-documents.json');
  writeFileSync(manifestPath, JSON.stringify(Object.fromEntries(Object.values(QUERIES).map((q) => [sha256(q.query), q.query]))));
  const targetsFor = (q: QueryName) => (QUERIES[q].persisted ? args.targets.filter((t) => t !== 'hive') : args.targets);

  // The gateways, each on CPU 0, idle until its turn.
  const base = { NODE_ENV: 'production', SUPERGRAPH_PATH: supergraphPath };
  const targets: Partial<Record<TargetName, { url: string; pid?: number; child?: ChildProcess }>> = {};
  for (const name of args.targets) {
    if (name === 'direct') continue;
    const port = await freePort();
    const env: Record<string, string> = { ...base, PORT: String(port) };
    let file: string;
    let ready: RegExp | undefined;
    if (name === 'handoff' || name === 'traced') {
      // Handoff's gateway exactly as it ships (gateway/dist/main.js), with production settings:
      // API key auth (TTL cache), signed subgraph calls, query limits, masking, CSRF prevention.
      // Its own metrics port (production's 9464 may be taken, and `handoff` and `traced` run together).
      Object.assign(env, signedUrls, {
        HANDOFF_INTERNAL_SECRET: secret,
        HANDOFF_ADMIN_KEY: randomBytes(24).toString('base64url'),
        METRICS_PORT: String(await freePort()),
        TRUSTED_DOCUMENTS_PATH: manifestPath,
        TRUSTED_DOCUMENTS: 'allow',
      });
      // `traced`: the same with tracing on, exporting to a sink on the side CPU that discards.
      // `handoff` has tracing off whatever the shell's environment says.
      Object.assign(env, name === 'traced' ? await tracingEnv(args.traceRatio, log) : { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
      file = join(repoRoot, 'gateway/dist/main.js');
      ready = /"msg":"gateway listening"()/;
    } else if (name === 'floor') {
      Object.assign(env, signedUrls, { HANDOFF_INTERNAL_SECRET: secret });
      file = join(here, 'targets/floor.js');
    } else {
      file = join(here, name === 'stock' ? 'targets/stock-apollo.js' : 'targets/hive.js');
    }
    const nodeArgs = [
      ...(name === 'handoff' || name === 'traced' ? args.gatewayNodeArgs : []),
      ...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', args.profile, '--cpu-prof-name', `${name}.cpuprofile`] : []),
    ];
    const { child } = await start(name, file, env, gatewayCpu, work, ready, nodeArgs);
    targets[name] = { url: `http://127.0.0.1:${port}/graphql`, pid: child.pid, child };
  }

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` };
  const persisted = (q: QueryName) => ({ persistedQuery: { version: 1, sha256Hash: sha256(QUERIES[q].query) } });
  const requestFor = (target: TargetName, q: QueryName) =>
    target === 'direct'
      ? { url: url(QUERIES[q].direct.subgraph, 'open'), body: JSON.stringify({ query: QUERIES[q].direct.query, variables: QUERIES[q].direct.variables }) }
      : {
          url: targets[target]!.url,
          body: JSON.stringify(QUERIES[q].persisted ? { extensions: persisted(q), variables: QUERIES[q].variables } : { query: QUERIES[q].query, variables: QUERIES[q].variables }),
        };

  // Every gateway must give the same answer, without errors, before anything is timed.
  for (const q of args.queries) {
    let reference: string | undefined;
    for (const t of targetsFor(q)) {
      if (t === 'direct') continue;
      const { url: u, body } = requestFor(t, q);
      if (QUERIES[q].persisted) {
        // APQ registration (hash + text) for the targets that learn texts that way (stock Apollo Server).
        await waitFor(u, { method: 'POST', headers, body: JSON.stringify({ query: QUERIES[q].query, extensions: persisted(q), variables: QUERIES[q].variables }) });
      }
      await waitFor(u, { method: 'POST', headers, body });
      const res = await fetch(u, { method: 'POST', headers, body });
      const json = (await res.json()) as { data?: unknown; errors?: unknown };
      if (res.status !== 200 || json.errors || !json.data) throw new Error(`${t} ${q}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 400)}`);
      const c = canonical(json.data);
      if (reference === undefined) reference = c;
      else if (c !== reference) throw new Error(`${t} ${q}: answer differs from ${args.targets[0]}'s`);
    }
  }
  if (traceSink) log(`trace sink: ${traceSink.exports} OTLP exports (${(traceSink.bytes / 1024).toFixed(0)} KiB) received so far`);
  if (targets.handoff) {
    // The key really goes through auth: a wrong key is refused.
    const { url: u, body } = requestFor('handoff', args.queries[0]!);
    const bad = await fetch(u, { method: 'POST', headers: { ...headers, authorization: 'Bearer hk_mer_notakeynotakeynotakeynotakey0' }, body });
    if (bad.status !== 401) throw new Error(`handoff: an unknown key answered HTTP ${bad.status}, expected 401`);
  }
  log('all targets answer the same data for every query');

  const load = (t: TargetName, q: QueryName, connections: number, seconds: number): Promise<LoadResult> => {
    const spec: LoadSpec = { ...requestFor(t, q), headers, connections, seconds, workDir: work, cpu: sideCpu };
    return args.loader === 'wrk' ? runWrk(spec) : runAutocannon(spec);
  };

  for (const q of args.queries) for (const t of targetsFor(q)) await load(t, q, 32, args.warmup);
  log(`warm-up done (${args.warmup} s per target and query at 32 connections)`);

  const measurements: Measurement[] = [];
  const started = Date.now();
  for (let round = 1; round <= args.rounds; round++) {
    for (const q of args.queries) {
      for (const c of args.conns) {
        for (const t of targetsFor(q)) {
          const pid = targets[t]?.pid;
          let peak = 0;
          const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100) : undefined;
          const cpuBefore = pid ? cpuMs(pid) : NaN;
          const r = await load(t, q, c, args.seconds);
          const cpuUsPerRequest = pid ? ((cpuMs(pid) - cpuBefore) * 1000) / Math.max(1, r.requests) : null;
          if (sampler) clearInterval(sampler);
          if (pid) peak = Math.max(peak, rssMiB(pid));
          measurements.push({ round, query: q, connections: c, target: t, ...r, peakRssMiB: pid ? peak : null, cpuUsPerRequest });
          log(`round ${round} ${q} c=${c} ${t.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms${pid ? `  rss ${peak.toFixed(0)} MiB  cpu ${cpuUsPerRequest!.toFixed(0)} µs/req` : ''}${r.errors ? `  ERRORS ${r.errors}` : ''}`);
        }
      }
    }
  }

  if (traceSink) log(`trace sink: ${traceSink.exports} OTLP exports (${(traceSink.bytes / 1024).toFixed(0)} KiB) received in all (tracing was on in \`traced\`)`);
  const planMiss = targets.handoff && args.queries.includes('Q1') ? await measurePlanMiss(targets.handoff.url, headers, args.quick ? 50 : 300, targets.handoff.pid) : undefined;
  if (planMiss) {
    log(
      `plan-cache miss (Q1, 1 conn): p50 ${planMiss.missP50Ms.toFixed(2)} ms vs ${planMiss.cachedP50Ms.toFixed(2)} ms cached: +${planMiss.addedMs.toFixed(2)} ms` +
        ` (a new comment); new fragment (parsed, validated, planned): +${planMiss.fragmentAddedMs.toFixed(2)} ms; new alias, a new subgraph text too: +${planMiss.aliasAddedMs.toFixed(2)} ms;` +
        ` gateway CPU µs/req: ${Object.entries(planMiss.cpuUs).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`,
    );
  }

  const report: BenchReport = {
    planMiss,
    command: `npm run bench:gateway --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loader: args.loader, pinned: pin },
    settings: { rounds: args.rounds, seconds: args.seconds, warmup: args.warmup, queries: args.queries, connections: args.conns, targets: args.targets },
    queries: Object.fromEntries(args.queries.map((q) => [q, { title: QUERIES[q].title, query: QUERIES[q].query, variables: QUERIES[q].variables, rounds: QUERIES[q].rounds }])),
    elapsedSeconds: (Date.now() - started) / 1000,
    summary: summarize(measurements, args.queries),
    measurements,
  };
  const md = renderMarkdown(report);
  process.stdout.write(`\n${md}\n`);
  if (args.write) {
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
    // Hand-written analysis below the marker survives a re-run.
    const marker = '<!-- notes: kept across runs -->';
    let notes = '';
    try {
      const previous = readFileSync(args.md, 'utf8');
      if (previous.includes(marker)) notes = previous.slice(previous.indexOf(marker));
    } catch {
      /* first run */
    }
    writeFileSync(args.md, notes ? `${md}\n${notes}` : md);
    log(`wrote ${args.out} and ${args.md}`);
  }
  if (args.profile) {
    await Promise.all(
      Object.values(targets).map(
        (t) => new Promise<void>((resolve) => {
          if (!t.child || t.child.exitCode !== null) return resolve();
          t.child.once('exit', () => resolve());
          t.child.kill('SIGTERM');
        }),
      ),
    );
    log(`CPU profiles in ${args.profile}`);
  }
  process.exit(0);
}

/**
 * What a query text never seen before costs Handoff: Q1 sequentially at 1 connection, `samples`
 * times with the same text, then with a new text each, alternating so drift hits all; p50 of each
 * and their difference. Three kinds of new text:
 *  - `comment`: a unique comment line. The same document (comments are ignored characters): since
 *    2026-12-07 the gateway finds the entry of the text without its ignored characters, so this
 *    costs a lexing of the text, not a parse, validation and plan. The subgraphs receive exactly
 *    the calls of the cached text.
 *  - `fragment`: the root's `__typename` through a uniquely named fragment: a new document, parsed,
 *    validated, planned and prepared from scratch, while the subgraphs receive one text throughout
 *    (the planner inlines fragments), so the difference is the gateway's own.
 *  - `alias`: a unique alias on a root `__typename`, which the checkout-session call carries too,
 *    so the fixture subgraph also parses, validates and executes a text it has not seen.
 * Then the gateway's CPU per request of each kind (`pid`), `blocks` requests in a row each: a figure
 * other load moves less than the p50s.
 */
async function measurePlanMiss(url: string, headers: Record<string, string>, samples: number, pid?: number) {
  const time = async (query: string) => {
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables: QUERIES.Q1.variables }) });
    const json = (await res.json()) as { errors?: unknown };
    if (res.status !== 200 || json.errors) throw new Error(`plan-miss probe: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return performance.now() - t0;
  };
  const base = QUERIES.Q1.query;
  const open = base.indexOf('{');
  let n = 0;
  const kinds = {
    cached: () => base,
    comment: () => `# plan-miss ${process.pid} ${n++}\n${base}`,
    fragment: () => {
      const name = `Miss${process.pid}_${n++}`;
      return `${base.slice(0, open + 1)} ...${name} ${base.slice(open + 1)}\nfragment ${name} on Query { __typename }`;
    },
    alias: () => `${base.slice(0, open + 1)} miss${process.pid}_${n++}: __typename ${base.slice(open + 1)}`,
  };
  type Kind = keyof typeof kinds;
  const names = Object.keys(kinds) as Kind[];
  for (let i = 0; i < 20; i++) await time(base);
  const ms: Record<Kind, number[]> = { cached: [], comment: [], fragment: [], alias: [] };
  for (let i = 0; i < samples; i++) for (const k of names) ms[k].push(await time(kinds[k]()));
  const p50 = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cpuUs: Partial<Record<Kind, number>> = {};
  if (pid) {
    const block = Math.max(200, samples * 4);
    for (const k of names) {
      const before = cpuMs(pid);
      for (let i = 0; i < block; i++) await time(kinds[k]());
      cpuUs[k] = ((cpuMs(pid) - before) * 1000) / block;
    }
  }
  const cachedP50Ms = p50(ms.cached);
  const missP50Ms = p50(ms.comment);
  const fragmentMissP50Ms = p50(ms.fragment);
  const aliasMissP50Ms = p50(ms.alias);
  return {
    cachedP50Ms,
    missP50Ms,
    addedMs: missP50Ms - cachedP50Ms,
    fragmentMissP50Ms,
    fragmentAddedMs: fragmentMissP50Ms - cachedP50Ms,
    aliasMissP50Ms,
    aliasAddedMs: aliasMissP50Ms - cachedP50Ms,
    cpuUs,
    samples,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
