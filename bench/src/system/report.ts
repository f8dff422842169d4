// bench:system's table (stdout and bench/RESULTS.md, between the system markers) and its JSON.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { PhaseCost } from './accounting.js';
import type { AllInOneResult } from './all-in-one.js';
import { calculationTable, type CalculationResult } from './calculation.js';
import type { LoopResult } from './measure.js';
import type { SettlementResult } from './settlement.js';
import type { WebhookResult } from './webhooks.js';

export interface SystemResult {
  when: string;
  quick: boolean;
  durationS: number;
  machine: { cpus: number; cpu: string | undefined; node: string; pgServer: string; loadAtStart: number[]; loadAtEnd: number[] };
  anchors: Record<string, LoopResult>;
  checkouts: Array<LoopResult & { peakRssMiB: Record<string, number>; load: number[]; cost: PhaseCost }>;
  calculation: CalculationResult & { peakRssMiB: Record<string, number> };
  webhooks: WebhookResult & { peakRssMiB: Record<string, number>; load: number[]; cost: PhaseCost };
  settlement: SettlementResult & { peakRssMiB: Record<string, number>; anchorAt1: number; load: number[] };
  idleRssAfterStartMiB: Record<string, number>;
  peakRssMiB: Record<string, number>;
  allInOne: AllInOneResult;
}

const pct = (a: number, b: number) => (b > 0 ? `${Math.round((a / b) * 1000) / 10} %` : 'n/a');
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
const rss = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace('conversion-ledger', 'ledger').replace('checkout-session', 'checkout').replace('payment-intent', 'payment')} ${v}`)
    .join(', ');

export function tableOf(r: SystemResult): string {
  const a = (c: number) => r.anchors[`c${c}`]?.rate.median ?? NaN;
  const rows: string[] = [];
  for (const c of r.checkouts) {
    const anchor = r.anchors[`checkout-c${c.concurrency}`]?.rate.median ?? a(c.concurrency);
    rows.push(
      `| agent checkouts/s (session → recommend → checkout) | ${c.concurrency} | **${c.rate.median}** (mean ${c.rate.mean}; p50 ${c.latencyP50Ms} ms, p99 ${c.latencyP99Ms} ms${Object.keys(c.errors).length ? `; errors ${JSON.stringify(c.errors)}` : ''}) | ${anchor} | ${pct(c.rate.median, anchor)} | ≥ 25 % | ${yes(c.rate.median >= 0.25 * anchor)} | ${rss(c.peakRssMiB)} |`,
    );
  }
  const w = r.webhooks;
  const wa = r.anchors[`webhooks-c${w.concurrency}`]?.rate.median ?? a(w.concurrency);
  rows.push(
    `| webhooks acknowledged/s | ${w.concurrency} | **${w.acknowledged.median}** (mean ${w.acknowledged.mean}; ${w.sent} sent; p50 ${w.ackP50Ms} ms, p99 ${w.ackP99Ms} ms; failed attempts ${JSON.stringify(w.failedAttempts)}) | ${wa} | ${pct(w.acknowledged.median, wa)} | ≥ 50 % | ${yes(w.acknowledged.median >= 0.5 * wa)} | ${rss(w.peakRssMiB)} |`,
    `| webhooks processed/s | ${w.concurrency} | **${w.processed.median}** (first send → last processed: ${w.processed.mean}/s; ${w.processed.total} processed; drained ${w.processed.drainAfterLastAckS ?? 'NOT'} s after the last ack) | ${wa} | ${pct(w.processed.median, wa)} | — | — | (same phase) |`,
    `| conversions recorded/s | ${w.concurrency} | **${w.conversions.median}** (first send → last recorded: ${w.conversions.mean}/s; ${w.conversions.total} of ${w.conversions.expected}) | ${wa} | ${pct(w.conversions.median, wa)} | — | — | (same phase) |`,
  );
  const s = r.settlement;
  rows.push(
    `| settlement of ${s.conversions.toLocaleString('en')} conversions, seconds | 1 run | **${s.seconds} s** (${Math.round(s.conversions / s.seconds)} conversions/s; totals ${s.exact ? 'exact' : 'WRONG'}; gateway: ${s.gatewayAnswer}) | ${s.anchorAt1} tx/s at 1 = ${Math.round((s.conversions / s.anchorAt1) * 10) / 10} s for as many INSERTs | ${pct(s.conversions / s.seconds, s.anchorAt1)} | < 10 s | ${yes(s.seconds < 10 && s.exact)} | ${rss(s.peakRssMiB)} |`,
  );
  const anchorRows = Object.entries(r.anchors).map(
    ([k, v]) => `| raw INSERT tx/s (anchor, ${k}) | ${v.concurrency} | **${v.rate.median}** (mean ${v.rate.mean}; p50 ${v.latencyP50Ms} ms, p99 ${v.latencyP99Ms} ms) | — | 100 % | — | — | — |`,
  );
  const subgraphs = Object.entries(r.peakRssMiB).filter(([k]) => !k.endsWith('-worker') && k !== 'gateway');
  const mem = [
    `| process | RSS idle after start (MiB) | peak RSS over the run (MiB) | target | met |`,
    `|---|---|---|---|---|`,
    ...Object.entries(r.peakRssMiB).map(([k, v]) => {
      const target = subgraphs.some(([n]) => n === k) ? 200 : null;
      return `| ${k} | ${r.idleRssAfterStartMiB[k] ?? '?'} | ${v} | ${target ? `< ${target}` : '—'} | ${target ? yes(v < target) : '—'} |`;
    }),
    r.allInOne.skipped
      ? `| all-in-one (\`npm start\`) | skipped: ${r.allInOne.skipped} | | < 600 idle | — |`
      : `| all-in-one (\`npm start\`), idle ${r.allInOne.idleAfterS} s after start | ${r.allInOne.idleRssMiB} (max ${r.allInOne.idleRssMaxMiB}) | — | < 600 idle | ${yes((r.allInOne.idleRssMaxMiB ?? Infinity) < 600)} |`,
  ];
  const costRow = (what: string, c: PhaseCost) =>
    c.perOp
      ? `| ${what} | ${c.perOp.ops} | ${c.perOp.totalCpuMs} | ${Object.entries(c.perOp.cpuMs).filter(([n]) => n !== 'bench client').sort((x, y) => y[1] - x[1]).map(([n, v]) => `${n} ${v}`).join(', ')} | ${c.perOp.cpuMs['bench client']} | ${c.perOp.commits} | ${c.perOp.rowsWritten} | ${c.perOp.cpuBoundMaxPerS} |`
      : '';
  const cost = [
    '| cost of one … | ops in phase | CPU ms (Handoff + its PostgreSQL backends) | CPU ms by process | bench client CPU ms | commits | rows written | most per s the cores allow (cores / CPU s) |',
    '|---|---|---|---|---|---|---|---|',
    ...r.checkouts.map((c) => costRow(`agent checkout at ${c.concurrency}`, c.cost)),
    costRow(`webhook, received to processed (incl. its share of conversions)`, r.webhooks.cost),
  ];
  return [
    '| figure | concurrency | value | anchor: raw INSERT tx/s, same concurrency, same run | ratio to anchor | target | met | peak RSS in the phase (MiB) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    ...anchorRows,
    '',
    ...cost,
    '',
    `Calculation (\`calculateCheckout\`, 10 lines, 3 promotions, tax, shipping; peak RSS ${rss(r.calculation.peakRssMiB)}):`,
    '',
    calculationTable(r.calculation),
    '',
    ...mem,
  ].join('\n');
}

const BEGIN = '<!-- system:start (npm run bench:system rewrites this section) -->';
const END = '<!-- system:end -->';

export function writeResults(root: string, r: SystemResult, method: string[], notes: string[]): void {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/system.json`, `${JSON.stringify(r, null, 2)}\n`);
  const path = `${root}bench/RESULTS.md`;
  const md = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const section = [
    BEGIN,
    '## System (issue 8): Handoff whole on the machine\'s PostgreSQL and Redis',
    '',
    `Produced by \`npm run bench:system\` on ${r.when.slice(0, 16).replace('T', ' ')} UTC in ${r.durationS} s. Machine: ${r.machine.cpus} × ${r.machine.cpu}, Node ${r.machine.node}, ${r.machine.pgServer}. ` +
      `Load average at start ${r.machine.loadAtStart.join(' ')}, at end ${r.machine.loadAtEnd.join(' ')} (the machine is shared: other people's tests run on it).`,
    '',
    ...method,
    '',
    tableOf(r),
    '',
    ...notes,
    '',
    'Raw figures: `bench/results/system.json`.',
    END,
  ].join('\n');
  const a = md.indexOf(BEGIN);
  const b = md.indexOf(END);
  const out = a >= 0 && b > a ? md.slice(0, a) + section + md.slice(b + END.length) : `${md.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, out);
}
