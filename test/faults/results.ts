// Writes the full storm's figures into bench/RESULTS.md, in a section of its own between markers
// at the end of the file (replaced on each run; the gateway sections above are not touched).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { StormReport } from './storm.js';

const RESULTS = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
const START = '<!-- faults:start (npm run bench:faults rewrites this section) -->';
const END = '<!-- faults:end -->';

export function writeFaultResults(r: StormReport, text: string): void {
  const f = (v: number) => v.toFixed(1);
  const section = [
    START,
    '## Faults: the webhook storm (issue 7)',
    '',
    `Produced by \`npm run bench:faults\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpus().length} cores, Node ${process.version}.`,
    'Handoff as separate OS processes (gateway, 4 subgraphs, 4 workers; bench/src/harness/harness.ts) on a private PostgreSQL and Redis on loopback;',
    'the driver signs as the sandbox PSP does and retries 5xx/timeouts with jittered exponential backoff, never sooner than Retry-After. Faults at fixed points of the sending window:',
    r.faults.map((x) => `${f(x.atMs / 1000)} s ${x.what}`).join('; ') + '.',
    '',
    'p50/p99 ack: time to the 2xx of the acknowledging attempt, over every acknowledged send; shed: attempts answered 503 + Retry-After at once (admission control), then retried.',
    '',
    '| sent | acknowledged | shed attempts (503) | processed (distinct) | lost | duplicated | p50 ack | p99 ack | p99 ack outside the PG outage | drain after last fault | ledger |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${r.sent} (${r.duplicatesSent} dup, ${r.outOfOrderSent} out of order) | ${r.acknowledged} | ${r.shedAttempts} of ${r.attempts} attempts | ${r.processed} of ${r.uniqueEvents} | ${r.lostEvents} events, ${r.lostConversions} conversions | ${r.duplicatedConversions} conversions, ${r.duplicatedPostings} postings | ${f(r.ackP50Ms)} ms | ${f(r.ackP99Ms)} ms | ${f(r.ackP99OutsideOutageMs)} ms | ${r.drainMs === null ? 'not drained' : `${f(r.drainMs / 1000)} s`} | ${r.ledger.balanced ? 'balanced' : 'UNBALANCED'} |`,
    '',
    '```',
    text,
    '```',
    END,
  ].join('\n');
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const from = current.indexOf(START);
  const to = current.indexOf(END);
  const next = from >= 0 && to > from ? current.slice(0, from) + section + current.slice(to + END.length) : `${current.replace(/\n*$/, '\n\n')}${section}\n`;
  writeFileSync(RESULTS, next);
}
