// Medians over rounds, the ratios and the targets, as Markdown (printed, and written to
// bench/RESULTS.md) and as data (bench/results/gateway.json).
import type { LoadResult } from './load.js';
import { QUERIES, type QueryName } from './queries.js';

export interface Measurement extends LoadResult {
  round: number;
  query: QueryName;
  connections: number;
  target: string;
  peakRssMiB: number | null;
  /** Gateway CPU time (user + system, from /proc) per request served: robust to a busy machine. */
  cpuUsPerRequest: number | null;
}

export interface Cell {
  query: QueryName;
  connections: number;
  target: string;
  rounds: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
  /** Highest RSS seen in any round. */
  peakRssMiB: number | null;
  errors: number;
  /** Median CPU µs per request in the gateway process. */
  cpuUsPerRequest: number | null;
  /** p50 minus (plan rounds × the direct subgraph call's p50), at the same connection count. */
  addedP50Ms: number | null;
}

export interface BenchReport {
  command: string;
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; loader: string; pinned: boolean };
  /** Handoff at 1 connection, Q1: p50 of a repeated text vs p50 of texts never seen (new parse, validation, plan). */
  planMiss?: {
    cachedP50Ms: number;
    missP50Ms: number;
    addedMs: number;
    fragmentMissP50Ms?: number;
    fragmentAddedMs?: number;
    aliasMissP50Ms?: number;
    aliasAddedMs?: number;
    cpuUs?: Partial<Record<'cached' | 'comment' | 'fragment' | 'alias', number>>;
    samples: number;
  };
  settings: { rounds: number; seconds: number; warmup: number; queries: QueryName[]; connections: number[]; targets: string[] };
  queries: Record<string, { title: string; query: string; variables: unknown; rounds: number }>;
  elapsedSeconds: number;
  summary: Cell[];
  measurements: Measurement[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function summarize(ms: Measurement[], queries: QueryName[]): Cell[] {
  const cells: Cell[] = [];
  const keys = [...new Set(ms.map((m) => `${m.query}|${m.connections}|${m.target}`))];
  for (const key of keys) {
    const [query, c, target] = key.split('|') as [QueryName, string, string];
    const rows = ms.filter((m) => m.query === query && m.connections === Number(c) && m.target === target);
    const rss = rows.map((r) => r.peakRssMiB).filter((x): x is number => x !== null && !Number.isNaN(x));
    cells.push({
      query,
      connections: Number(c),
      target,
      rounds: rows.length,
      rps: median(rows.map((r) => r.rps)),
      rpsMin: Math.min(...rows.map((r) => r.rps)),
      rpsMax: Math.max(...rows.map((r) => r.rps)),
      p50Ms: median(rows.map((r) => r.p50Ms)),
      p99Ms: median(rows.map((r) => r.p99Ms)),
      peakRssMiB: rss.length ? Math.max(...rss) : null,
      errors: rows.reduce((a, r) => a + r.errors, 0),
      cpuUsPerRequest: rows[0]!.cpuUsPerRequest === null ? null : median(rows.map((r) => r.cpuUsPerRequest ?? NaN)),
      addedP50Ms: null,
    });
  }
  for (const cell of cells) {
    const direct = cells.find((d) => d.target === 'direct' && d.query === cell.query && d.connections === cell.connections);
    if (direct && cell.target !== 'direct') cell.addedP50Ms = cell.p50Ms - QUERIES[cell.query].rounds * direct.p50Ms;
  }
  const order = ['handoff', 'traced', 'stock', 'hive', 'floor', 'direct'];
  return cells.sort(
    (a, b) => queries.indexOf(a.query) - queries.indexOf(b.query) || a.connections - b.connections || order.indexOf(a.target) - order.indexOf(b.target),
  );
}

const LABEL: Record<string, string> = {
  handoff: 'Handoff gateway (as shipped)',
  stock: 'stock @apollo/gateway',
  hive: 'Hive Gateway runtime',
  floor: 'floor (hand-written, no engine)',
  direct: 'direct subgraph call (1st hop)',
  traced: 'Handoff gateway, tracing on (OTLP, sampled)',
};

const f = (x: number | null | undefined, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

interface Check {
  what: string;
  value: string;
  target: string;
  ok: boolean | null;
}

export function checks(cells: Cell[]): Check[] {
  const get = (q: QueryName, c: number, t: string) => cells.find((x) => x.query === q && x.connections === c && x.target === t);
  const out: Check[] = [];
  const ratio = (q: QueryName, other: string, min: number) => {
    const h = get(q, 32, 'handoff');
    const o = get(q, 32, other);
    const r = h && o ? h.rps / o.rps : null;
    out.push({ what: `${q} req/s at 32 conns, Handoff / ${LABEL[other]}`, value: r === null ? '–' : `${r.toFixed(2)}×`, target: `≥ ${min}×`, ok: r === null ? null : r >= min });
  };
  ratio('Q1', 'stock', 3);
  ratio('Q1', 'hive', 3);
  ratio('Q1', 'floor', 0.8);
  ratio('Q2', 'stock', 2);
  ratio('Q2', 'floor', 0.6);
  if (get('Q4', 32, 'handoff')) ratio('Q4', 'floor', 0.9);
  // Q1 sent as a hash only (persisted document) against Q1 sent as text, both Handoff.
  const hashed = get('Q1P', 32, 'handoff');
  const text = get('Q1', 32, 'handoff');
  if (hashed && text) {
    const r = hashed.rps / text.rps;
    out.push({ what: 'Q1 req/s at 32 conns, persisted (hash only) / text', value: `${r.toFixed(2)}×`, target: '≥ 0.95× (no dearer than the text)', ok: r >= 0.95 });
  }
  // Tracing on at 1 % sampling (`--targets handoff,traced`): at least 0.9× tracing off.
  const traced = get('Q1', 32, 'traced');
  const plain = get('Q1', 32, 'handoff');
  if (traced && plain) {
    const r = traced.rps / plain.rps;
    out.push({ what: 'Q1 req/s at 32 conns, tracing on / off', value: `${r.toFixed(2)}×`, target: '≥ 0.9×', ok: r >= 0.9 });
  }
  const p99 = get('Q1', 32, 'handoff')?.p99Ms;
  out.push({ what: 'Q1 p99 at 32 conns', value: p99 === undefined ? '–' : `${p99.toFixed(1)} ms`, target: '< 100 ms', ok: p99 === undefined ? null : p99 < 100 });
  for (const [q, limit] of [['Q1', 1], ['Q2', 2]] as const) {
    const added = get(q, 1, 'handoff')?.addedP50Ms;
    out.push({ what: `${q} added p50 at 1 conn`, value: added == null ? '–' : `${added.toFixed(2)} ms`, target: `≤ ${limit} ms`, ok: added == null ? null : added <= limit });
  }
  const rss = Math.max(...cells.filter((c) => c.target === 'handoff' && c.connections === 32).map((c) => c.peakRssMiB ?? 0));
  out.push({ what: 'Handoff gateway peak RSS under 32 conns', value: Number.isFinite(rss) && rss > 0 ? `${rss.toFixed(0)} MiB` : '–', target: '≤ 150 MiB', ok: rss > 0 ? rss <= 150 : null });
  return out;
}

export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push('# Gateway bench results', '');
  lines.push(`Produced by \`${r.command}\` on ${r.date.slice(0, 16).replace('T', ' ')} UTC in ${Math.round(r.elapsedSeconds)} s of measuring.`);
  lines.push(
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; load generator: ${r.machine.loader}; ` +
      (r.machine.pinned ? 'the gateway under test alone on CPU 0, the fixture subgraphs + load generator + orchestrator on CPU 1 (taskset).' : 'processes NOT pinned.'),
  );
  lines.push(
    `Method: ${r.settings.warmup} s warm-up per target and query at 32 connections, then ${r.settings.rounds} rounds; in each round every target runs ` +
      `${r.settings.seconds} s in turn (${r.settings.targets.join(' → ')}), so drift hits all alike. Figures are medians over rounds; ` +
      '“spread” is the lowest–highest req/s over the rounds; RSS is the highest VmRSS sampled from /proc every 100 ms; ' +
        '“CPU µs/req” is the gateway process’s user + system CPU time (from /proc/PID/stat) over the requests it served, ' +
        'the figure least moved by other load on the machine.',
    '',
  );
  for (const q of r.settings.queries) {
    lines.push(`## ${q}: ${r.queries[q]!.title}`, '');
    lines.push('| conns | target | req/s | spread | p50 ms | p99 ms | added p50 ms | CPU µs/req | peak RSS MiB | errors |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const c of r.summary.filter((x) => x.query === q)) {
      lines.push(
        `| ${c.connections} | ${LABEL[c.target] ?? c.target} | ${f(c.rps)} | ${f(c.rpsMin)}–${f(c.rpsMax)} | ${f(c.p50Ms, 2)} | ${f(c.p99Ms, 2)} | ${f(c.addedP50Ms, 2)} | ${f(c.cpuUsPerRequest)} | ${f(c.peakRssMiB)} | ${c.errors} |`,
      );
    }
    lines.push('');
    const ratios: string[] = [];
    for (const c of r.settings.connections) {
      const h = r.summary.find((x) => x.query === q && x.connections === c && x.target === 'handoff');
      if (!h) continue;
      const parts = ['stock', 'hive', 'floor']
        .map((t) => {
          const o = r.summary.find((x) => x.query === q && x.connections === c && x.target === t);
          return o ? `Handoff/${t} ${(h.rps / o.rps).toFixed(2)}×` : undefined;
        })
        .filter(Boolean);
      ratios.push(`${c} conn${c === 1 ? '' : 's'}: ${parts.join(', ')}`);
    }
    if (ratios.length) lines.push(`Ratios (req/s): ${ratios.join('; ')}.`, '');
  }
  lines.push('## Targets (issue 8)', '', '| what | measured | target | met |', '|---|---|---|---|');
  const miss = r.planMiss
    ? [
        { what: 'Q1 plan-cache miss (a new comment), added p50 at 1 conn', value: `${r.planMiss.addedMs.toFixed(2)} ms (${r.planMiss.missP50Ms.toFixed(2)} vs ${r.planMiss.cachedP50Ms.toFixed(2)})`, target: '≤ 1 ms', ok: r.planMiss.addedMs <= 1 },
        ...(r.planMiss.fragmentAddedMs === undefined
          ? []
          : [{ what: 'Q1 plan-cache miss (a new document: a new fragment), added p50 at 1 conn', value: `${r.planMiss.fragmentAddedMs.toFixed(2)} ms (${r.planMiss.fragmentMissP50Ms!.toFixed(2)} vs ${r.planMiss.cachedP50Ms.toFixed(2)})`, target: '≤ 1 ms', ok: r.planMiss.fragmentAddedMs <= 1 }]),
        ...(r.planMiss.aliasAddedMs === undefined
          ? []
          : [{ what: 'the same, the subgraph also meeting a new text', value: `${r.planMiss.aliasAddedMs.toFixed(2)} ms (${r.planMiss.aliasMissP50Ms!.toFixed(2)} vs ${r.planMiss.cachedP50Ms.toFixed(2)})`, target: '–', ok: null }]),
      ]
    : [];
  for (const c of [...checks(r.summary), ...miss]) lines.push(`| ${c.what} | ${c.value} | ${c.target} | ${c.ok === null ? '–' : c.ok ? 'yes' : '**no**'} |`);
  lines.push(
    '',
    '“added p50” = the target’s p50 minus (the plan’s sequential rounds of subgraph calls × the direct first-hop p50 at the same',
    'connection count): an estimate of what the gateway itself adds over its subgraph calls (2 rounds for Q1/Q2, 3 for Q3).',
    '“plan-cache miss”: Handoff at 1 connection, Q1 sent sequentially, each text made new by a unique comment line (the same',
    'document: served from the entry of the text without ignored characters) or by the root `__typename` in a uniquely named',
    'fragment (a new document: parsed, validated, planned and prepared from scratch; the subgraphs receive one text throughout),',
    'against the same text repeated; p50 of each. The last line makes each text new with a unique alias on a root `__typename`',
    'instead, which the checkout-session call carries too: the fixture subgraph then parses, validates and executes a new text as well.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
