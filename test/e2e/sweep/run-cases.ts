// Runs generated bad-input cases through the gateway and keeps a summary per field: queries in
// parallel (a query writes nothing: checked once around them all), mutations one at a time with
// a row count of every table after each, so a failed call that wrote anything is named. The
// report ends with each phase's wall-clock time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BadCase } from './bad-values.js';
import { diffCounts, type RowCounter, type RowCounts } from './db.js';
import { judge, judgeHuge, post } from './verdict.js';

/** Counts unchanged this long are settled; polled this often; given up on after this long. */
const QUIET_MS = 250;
const POLL_MS = 50;
const SETTLE_MAX_MS = 5_000;

export interface Principal { role: string; key: string }
export interface FieldSummary { field: string; kind: string; cases: number; calls: number; successes: number; codes: Record<string, number> }

export class CaseRunner {
  readonly problems: string[] = [];
  readonly summary = new Map<string, FieldSummary>();
  /** Wall-clock ms per phase, for the report. */
  readonly phases: Record<string, number> = {};
  /** Failures sent again because a success's follow-ups may have landed with them. */
  reruns = 0;
  constructor(
    private readonly url: string,
    private readonly counter: RowCounter,
    private readonly internalUrls: string[],
  ) {}

  private async one(c: BadCase, p: Principal): Promise<'success' | 'error'> {
    const raw = await post(this.url, p.key, c.query, c.variables);
    const v = judge(raw, c.typeLevel, this.internalUrls);
    const s = this.summary.get(`${c.kind}.${c.field}`)!;
    s.calls++;
    if (v.outcome === 'success') s.successes++;
    for (const code of v.codes) s.codes[code] = (s.codes[code] ?? 0) + 1;
    if (!v.ok) this.problems.push(`${c.kind} ${c.field} ${c.site} [${c.label}] as ${p.role}: ${v.problem}`);
    const huge = v.ok && c.huge ? judgeHuge(raw, c.huge, c.field, c.kind) : undefined;
    if (huge) this.problems.push(`${c.kind} ${c.field} ${c.site} [${c.label}] as ${p.role}: ${huge}`);
    return v.outcome;
  }

  private register(field: string, kind: string, cases: BadCase[]) {
    const key = `${kind}.${field}`;
    const s = this.summary.get(key) ?? { field, kind, cases: 0, calls: 0, successes: 0, codes: {} };
    s.cases += cases.length;
    this.summary.set(key, s);
  }

  private async parallel(jobs: Array<() => Promise<unknown>>, concurrency = 8): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }));
  }

  /** Runs `jobs` in parallel and names any table whose count moved meanwhile. */
  private async parallelWritingNothing(what: string, jobs: Array<() => Promise<unknown>>): Promise<void> {
    const before = await this.counter.snapshot();
    await this.parallel(jobs);
    const changed = diffCounts(before, await this.counter.snapshot());
    if (changed.length) this.problems.push(`${what} wrote rows: ${changed.join('; ')}`);
  }

  async queries(byField: Map<string, { cases: BadCase[]; principals: Principal[] }>): Promise<void> {
    const jobs: Array<() => Promise<unknown>> = [];
    for (const [field, { cases, principals }] of byField) {
      this.register(field, 'query', cases);
      for (const c of cases) for (const p of principals) jobs.push(() => this.one(c, p));
    }
    const t = Date.now();
    await this.parallelWritingNothing('queries', jobs);
    this.phases.queries = Date.now() - t;
  }

  async mutations(byField: Map<string, { cases: BadCase[]; principals: Principal[] }>): Promise<void> {
    const typeLevel: Array<() => Promise<unknown>> = [];
    for (const [field, { cases, principals }] of byField) {
      this.register(field, 'mutation', cases);
      for (const c of cases.filter((x) => x.typeLevel)) for (const p of principals) typeLevel.push(() => this.one(c, p));
    }
    // Refused by type checking at the gateway, before any resolver: in parallel, counted around them all.
    let t = Date.now();
    await this.parallelWritingNothing('type-level mutation cases', typeLevel);
    this.phases['type-level mutations'] = Date.now() - t;
    t = Date.now();
    // The rest reach resolvers: one at a time, counted after each. A success does its work and may
    // have follow-ups in workers (audit log, ledger, webhook events) that land a little later; rather
    // than wait for them after every success, the next calls go on at once and, should the counts
    // move after a failure before the counts have been seen quiet since that success, the counts
    // are let settle and that failure is sent again against the settled counts: a write it makes
    // is still named, and a success's follow-ups are never blamed on it.
    let before = await this.counter.snapshot();
    let unsettled = false;
    for (const [field, { cases, principals }] of byField) {
      for (const c of cases.filter((x) => !x.typeLevel)) {
        for (const p of principals) {
          const outcome = await this.one(c, p);
          const after = await this.counter.snapshot();
          if (outcome === 'success') {
            unsettled = true;
            before = after;
            continue;
          }
          const changed = diffCounts(before, after);
          before = after;
          if (!changed.length) continue;
          const what = `mutation ${field} ${c.site} [${c.label}] as ${p.role}`;
          if (!unsettled) {
            this.problems.push(`${what} failed but wrote: ${changed.join('; ')}`);
            continue;
          }
          before = await this.settle();
          unsettled = false;
          const again = await this.sendAgain(c, p);
          const after2 = await this.counter.snapshot();
          const changed2 = diffCounts(before, after2);
          before = after2;
          if (again === 'success') {
            unsettled = true;
            this.problems.push(`${what} failed (the counts moved: ${changed.join('; ')}), then succeeded when sent again`);
          } else if (changed2.length) {
            this.problems.push(`${what} failed but wrote: ${changed2.join('; ')}`);
          }
        }
      }
    }
    this.phases['resolver mutations'] = Date.now() - t;
  }

  /** A case sent once more (only its write is in question: its answer was judged the first time). */
  private async sendAgain(c: BadCase, p: Principal): Promise<'success' | 'error'> {
    this.reruns++;
    const raw = await post(this.url, p.key, c.query, c.variables);
    const v = judge(raw, c.typeLevel, this.internalUrls);
    if (!v.ok) this.problems.push(`${c.kind} ${c.field} ${c.site} [${c.label}] as ${p.role}, sent again: ${v.problem}`);
    return v.outcome;
  }

  /** The counts once they have not moved for QUIET_MS (a success's follow-ups in workers), polled
   *  every POLL_MS, at most SETTLE_MAX_MS. */
  private async settle(): Promise<RowCounts> {
    const started = Date.now();
    let last = await this.counter.snapshot();
    let since = Date.now();
    while (Date.now() - since < QUIET_MS && Date.now() - started < SETTLE_MAX_MS) {
      await sleep(POLL_MS);
      const now = await this.counter.snapshot();
      if (diffCounts(last, now).length) since = Date.now();
      last = now;
    }
    this.phases.settling = (this.phases.settling ?? 0) + Date.now() - started;
    return last;
  }

  /** `kind.field  cases×principals=calls  ok=n  CODE:n …`, one line a field, and the totals. */
  report(): string {
    const rows = [...this.summary.values()];
    const lines = rows.map((s) => `${`${s.kind}.${s.field}`.padEnd(40)} cases=${String(s.cases).padStart(3)} calls=${String(s.calls).padStart(4)} ok=${String(s.successes).padStart(3)}  ${Object.entries(s.codes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`).join(' ')}`);
    const total = rows.reduce((a, s) => ({ cases: a.cases + s.cases, calls: a.calls + s.calls }), { cases: 0, calls: 0 });
    const phases = Object.entries(this.phases).map(([k, ms]) => `${k} ${ms} ms`).join(', ');
    return [...lines, `phases: ${phases}; ${this.reruns} failures sent again after a success's follow-ups`, `${rows.length} fields, ${total.cases} cases, ${total.calls} calls, ${this.problems.length} problems`].join('\n');
  }
}
