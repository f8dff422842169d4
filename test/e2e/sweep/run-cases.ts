// Runs generated bad-input cases through the gateway and keeps a summary per field: queries in
// parallel (a query writes nothing: checked once around them all), mutations one at a time with
// a row count of every table after each, so a failed call that wrote anything is named.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BadCase } from './bad-values.js';
import { diffCounts, type RowCounter, type RowCounts } from './db.js';
import { judge, judgeHuge, post } from './verdict.js';

export interface Principal { role: string; key: string }
export interface FieldSummary { field: string; kind: string; cases: number; calls: number; successes: number; codes: Record<string, number> }

export class CaseRunner {
  readonly problems: string[] = [];
  readonly summary = new Map<string, FieldSummary>();
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
    await this.parallelWritingNothing('queries', jobs);
  }

  async mutations(byField: Map<string, { cases: BadCase[]; principals: Principal[] }>): Promise<void> {
    const typeLevel: Array<() => Promise<unknown>> = [];
    for (const [field, { cases, principals }] of byField) {
      this.register(field, 'mutation', cases);
      for (const c of cases.filter((x) => x.typeLevel)) for (const p of principals) typeLevel.push(() => this.one(c, p));
    }
    // Refused by type checking at the gateway, before any resolver: in parallel, counted around them all.
    await this.parallelWritingNothing('type-level mutation cases', typeLevel);
    // The rest reach resolvers: one at a time, counted after each.
    let before = await this.counter.snapshot();
    for (const [field, { cases, principals }] of byField) {
      for (const c of cases.filter((x) => !x.typeLevel)) {
        for (const p of principals) {
          const outcome = await this.one(c, p);
          if (outcome === 'success') {
            // A valid input did its work (and may have follow-ups in workers): a new baseline.
            before = await this.quiet();
            continue;
          }
          const after = await this.counter.snapshot();
          const changed = diffCounts(before, after);
          if (changed.length) this.problems.push(`mutation ${field} ${c.site} [${c.label}] as ${p.role} failed but wrote: ${changed.join('; ')}`);
          before = after;
        }
      }
    }
  }

  /** The counts once they stop moving (a success's follow-ups in workers), at most ~3 s later. */
  private async quiet(): Promise<RowCounts> {
    let last = await this.counter.snapshot();
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      const now = await this.counter.snapshot();
      if (!diffCounts(last, now).length) return now;
      last = now;
    }
    return last;
  }

  /** `kind.field  cases×principals=calls  ok=n  CODE:n …`, one line a field, and the totals. */
  report(): string {
    const rows = [...this.summary.values()];
    const lines = rows.map((s) => `${`${s.kind}.${s.field}`.padEnd(40)} cases=${String(s.cases).padStart(3)} calls=${String(s.calls).padStart(4)} ok=${String(s.successes).padStart(3)}  ${Object.entries(s.codes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`).join(' ')}`);
    const total = rows.reduce((a, s) => ({ cases: a.cases + s.cases, calls: a.calls + s.calls }), { cases: 0, calls: 0 });
    return [...lines, `${rows.length} fields, ${total.cases} cases, ${total.calls} calls, ${this.problems.length} problems`].join('\n');
  }
}
