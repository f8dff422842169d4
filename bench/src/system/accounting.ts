// Where a phase's work went: CPU seconds of each Handoff process and of the PostgreSQL backends
// serving the bench's database (from /proc; the server is on this machine), of this bench
// process, and the database's commits and rows written (pg_stat_database). Divided by what the
// phase completed, this is the cost of one checkout or one webhook, and 2 cores / (CPU s per
// operation) is the most this machine could do.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { SharedPostgres } from '../harness/shared-services.js';
import { round, sleep } from './measure.js';

const TICK = 100; // USER_HZ

export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
}

interface Snapshot {
  at: number;
  cpu: Map<string, number>;
  backends: Map<number, { app: string; cpu: number }>;
  db: { commits: number; inserted: number; updated: number; deleted: number };
}

export interface PhaseCost {
  seconds: number;
  /** CPU seconds per process (and `postgres backends`, `bench client`); the total leaves the client out. */
  cpuS: Record<string, number>;
  totalCpuS: number;
  commits: number;
  rowsWritten: number;
  /** Per operation: CPU ms by process, total CPU ms, commits and rows written. */
  perOp?: { ops: number; cpuMs: Record<string, number>; totalCpuMs: number; commits: number; rowsWritten: number; cpuBoundMaxPerS: number };
}

export class Accounting {
  constructor(
    private readonly db: SharedPostgres,
    private readonly pids: () => Array<[string, number | undefined]>,
  ) {}

  private async backendCpu(): Promise<Map<number, { app: string; cpu: number }>> {
    const rows = await this.db.query<{ pid: number; app: string }>(
      `SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return new Map(rows.map((r) => [r.pid, { app: r.app.replace(/^handoff-/, '') || 'other', cpu: cpuSeconds(r.pid) }]));
  }

  async snapshot(): Promise<Snapshot> {
    const cpu = new Map(this.pids().map(([n, pid]) => [n, cpuSeconds(pid)] as [string, number]));
    const u = process.cpuUsage();
    cpu.set('bench client', (u.user + u.system) / 1e6);
    const [s] = await this.db.query<{ commits: string; inserted: string; updated: string; deleted: string }>(
      `SELECT xact_commit AS commits, tup_inserted AS inserted, tup_updated AS updated, tup_deleted AS deleted FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { at: Date.now(), cpu, backends: await this.backendCpu(), db: { commits: Number(s!.commits), inserted: Number(s!.inserted), updated: Number(s!.updated), deleted: Number(s!.deleted) } };
  }

  /** From `start` to now; backends that came and went in between are missed (pools keep theirs). */
  async since(start: Snapshot, ops?: number): Promise<PhaseCost> {
    await sleep(1200); // pg_stat_database is flushed about once a second
    const end = await this.snapshot();
    const cpuS: Record<string, number> = {};
    for (const [n, v] of end.cpu) cpuS[n] = round(v - (start.cpu.get(n) ?? v), 2);
    // By the connection's application name (handoff-<subgraph>; its worker's connections say the same).
    const byApp = new Map<string, number>();
    for (const [pid, v] of end.backends) byApp.set(v.app, (byApp.get(v.app) ?? 0) + v.cpu - (start.backends.get(pid)?.cpu ?? 0));
    const pg = [...byApp.values()].reduce((a, b) => a + b, 0);
    cpuS['postgres backends'] = round(pg, 2);
    for (const [app, v] of byApp) cpuS[`pg:${app}`] = round(v, 2);
    // The bench client is the load generator: shown, not counted as Handoff's cost.
    const totalCpuS = round(Object.entries(cpuS).reduce((a, [n, v]) => (n === 'bench client' || n.startsWith('pg:') ? a : a + v), 0), 2);
    const commits = end.db.commits - start.db.commits;
    const rowsWritten = end.db.inserted + end.db.updated + end.db.deleted - (start.db.inserted + start.db.updated + start.db.deleted);
    const cost: PhaseCost = { seconds: round((end.at - start.at) / 1000), cpuS, totalCpuS, commits, rowsWritten };
    if (ops) {
      const cpuMs = Object.fromEntries(Object.entries(cpuS).map(([n, v]) => [n, round((v * 1000) / ops, 1)]));
      const totalCpuMs = round((totalCpuS * 1000) / ops, 1);
      cost.perOp = { ops, cpuMs, totalCpuMs, commits: round(commits / ops, 1), rowsWritten: round(rowsWritten / ops, 1), cpuBoundMaxPerS: round((cpus().length * 1000) / totalCpuMs, 1) };
    }
    return cost;
  }
}
