// Statements per step of bench:system's finalization flow (finalization.ts): PostgreSQL's
// `log_statement = all` switched on for the bench's database only (pg_stat_statements is not
// preloaded on this server), a few flows run one by one with a settle pause before each step, the
// server log read back and counted for every process. A step's count is everything from its start
// to the next step's: its own statements and the asynchronous follow-ups it caused (the payment's
// events, outbound webhooks), settled. Since the pay step's events are settled before finalize,
// finalize finds the session COMPLETE here (no call to payment-intent), as a merchant finalizing
// on `checkout.completed` does. The finalize step's statements are also logged one by one.
// Then the path as the timed runs take it (`asTimed`): the same flows with no pause between pay
// and finalize, so finalize runs while pay's asynchronous work does; per finalize, from its start
// to its answer: its latency, the statements every process sent and the CPU every process (and the
// database's backends) spent; and, from pay's start until everything settled after finalize, the
// statements and CPU of pay and finalize together (work moved between them shows there).
import { readFileSync, statSync } from 'node:fs';
import type { SharedPostgres } from '../harness/shared-services.js';
import { cpuSeconds } from './accounting.js';
import { runFlow, STEPS, type FinalizationWorld, type Step } from './finalization.js';
import { percentile, round, sleep } from './measure.js';

const LOG = process.env.PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const SETTLE_MS = 1500;

function statementsBetween(from: number, to: number, db: string): Array<{ pid: string; sql: string }> {
  const text = readFileSync(LOG).subarray(from, to).toString('utf8');
  const out: Array<{ pid: string; sql: string }> = [];
  for (const m of text.matchAll(/\[(\d+)\] \S+@(\S+) LOG:\s+(?:statement|execute [^:]*): (.*)/g)) if (m[2] === db) out.push({ pid: m[1]!, sql: m[3]!.replace(/\s+/g, ' ').slice(0, 120) });
  return out;
}

/** Statements per session by step (and in total), or undefined when the server log cannot be read. */
export async function finalizationStatements(
  db: SharedPostgres,
  w: FinalizationWorld,
  sessions: number,
  log: (m: string) => void,
  /** Handoff's processes, for the CPU of the as-timed pass (without them it is left out). */
  pids?: () => Array<[string, number | undefined]>,
): Promise<Record<string, number> | undefined> {
  try {
    statSync(LOG);
  } catch {
    log(`  statements: ${LOG} not readable (PG_LOG names the server log); skipped`);
    return undefined;
  }
  await db.query(`ALTER DATABASE "${db.database}" SET log_statement = 'all'`);
  try {
    // A database setting reaches new sessions only: reconnect the pools' backends.
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await sleep(1500);
    for (let i = 0; i < 2; i++) await runFlow(w).catch(() => undefined);
    const totals: Record<string, number> = Object.fromEntries(STEPS.map((s) => [s, 0]));
    const apps = new Map<string, string>();
    const finalizeSql = new Map<string, number>();
    for (let i = 0; i < sessions; i++) {
      const marks: Array<[Step, number]> = [];
      await runFlow(w, undefined, async (step) => {
        await sleep(SETTLE_MS);
        marks.push([step, statSync(LOG).size]);
      });
      await sleep(SETTLE_MS);
      const end = statSync(LOG).size;
      for (const r of await db.query<{ pid: number; app: string }>(`SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database()`)) apps.set(String(r.pid), r.app);
      for (let k = 0; k < marks.length; k++) {
        const [step, from] = marks[k]!;
        const rows = statementsBetween(from, k + 1 < marks.length ? marks[k + 1]![1] : end, db.database);
        totals[step]! += rows.length;
        if (step === 'finalize') for (const r of rows) finalizeSql.set(`${apps.get(r.pid) ?? r.pid}: ${r.sql}`, (finalizeSql.get(`${apps.get(r.pid) ?? r.pid}: ${r.sql}`) ?? 0) + 1);
      }
    }
    log(`  finalize's statements per session:\n${[...finalizeSql].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `    ${(n / sessions).toFixed(1).padStart(4)}  ${sql}`).join('\n')}`);
    const per = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, round(v / sessions, 1)]));
    per.total = round(Object.values(totals).reduce((a, b) => a + b, 0) / sessions, 1);
    const timed = await asTimed(db, w, sessions * 2, pids);
    log(`  as timed (finalize right after pay, ${sessions * 2} flows one by one): ${JSON.stringify(timed)}`);
    per['finalize as timed'] = timed.finalizeStatements;
    per['pay + finalize as timed'] = timed.payAndFinalizeStatements;
    return per;
  } finally {
    await db.query(`ALTER DATABASE "${db.database}" RESET log_statement`);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  }
}

/** CPU seconds of every Handoff process and of each of the database's backends now (backends as `pg:<app>:<pid>`). */
function cpuNow(pids: () => Array<[string, number | undefined]>, backends: Array<{ pid: number; app: string }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, pid] of pids()) out.set(name, cpuSeconds(pid));
  for (const b of backends) out.set(`pg:${b.app}:${b.pid}`, cpuSeconds(b.pid));
  return out;
}

/** Adds each one's CPU ms between two readings, backends summed by application; one gone meanwhile (it reads 0) is left out. */
const add = (into: Record<string, number>, from: Map<string, number>, to: Map<string, number>) => {
  for (const [k, v] of to) {
    const before = from.get(k);
    if (before === undefined || v < before) continue;
    const name = k.startsWith('pg:') ? k.slice(0, k.lastIndexOf(':')) : k;
    into[name] = (into[name] ?? 0) + (v - before) * 1000;
  }
};

/**
 * Flows one by one with a settle pause before every step but finalize (as the timed runs: finalize
 * right after pay). Per finalize: p50 latency, statements and CPU ms from its start to its answer;
 * pay + finalize: statements and CPU ms from pay's start until all settled after finalize.
 */
async function asTimed(db: SharedPostgres, w: FinalizationWorld, flows: number, pids?: () => Array<[string, number | undefined]>) {
  const backends = async () =>
    (await db.query<{ pid: number; app: string }>(`SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).map((r) => ({
      pid: r.pid,
      app: r.app.replace(/^handoff-/, '') || 'other',
    }));
  const ms: number[] = [];
  let finalizeStatements = 0;
  let payAndFinalizeStatements = 0;
  const finalizeByApp: Record<string, number> = {};
  const finalizeCpu: Record<string, number> = {};
  const payAndFinalizeCpu: Record<string, number> = {};
  for (let i = 0; i < flows; i++) {
    const bs = await backends();
    let payFrom = 0;
    let finFrom = 0;
    let finTo = 0;
    let payCpu = new Map<string, number>();
    let finCpu = new Map<string, number>();
    let finCpuEnd = new Map<string, number>();
    await runFlow(
      w,
      (step, t) => {
        if (step !== 'finalize') return;
        ms.push(t);
        finTo = statSync(LOG).size;
        // Synchronous /proc reads: the answer's moment, before anything else runs here.
        if (pids) finCpuEnd = cpuNow(pids, bs);
      },
      async (step) => {
        if (step === 'finalize') {
          finFrom = statSync(LOG).size;
          if (pids) finCpu = cpuNow(pids, bs);
          return;
        }
        await sleep(SETTLE_MS);
        if (step === 'pay') {
          payFrom = statSync(LOG).size;
          if (pids) payCpu = cpuNow(pids, bs);
        }
      },
    );
    await sleep(SETTLE_MS);
    const end = statSync(LOG).size;
    const apps = new Map((await backends()).map((b) => [String(b.pid), b.app]));
    const inFinalize = statementsBetween(finFrom, finTo, db.database);
    finalizeStatements += inFinalize.length;
    for (const r of inFinalize) finalizeByApp[apps.get(r.pid) ?? r.pid] = (finalizeByApp[apps.get(r.pid) ?? r.pid] ?? 0) + 1;
    payAndFinalizeStatements += statementsBetween(payFrom, end, db.database).length;
    if (pids) {
      add(finalizeCpu, finCpu, finCpuEnd);
      add(payAndFinalizeCpu, payCpu, cpuNow(pids, bs));
    }
  }
  const perFlow = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v / flows >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / flows, 1)]));
  const total = (r: Record<string, number>) => round(Object.values(r).reduce((a, b) => a + b, 0) / flows, 1);
  return {
    finalizeP50Ms: round(percentile(ms, 50)),
    finalizeStatements: round(finalizeStatements / flows, 1),
    finalizeStatementsByProcess: perFlow(finalizeByApp),
    finalizeCpuMs: pids ? total(finalizeCpu) : null,
    finalizeCpuMsByProcess: pids ? perFlow(finalizeCpu) : null,
    payAndFinalizeStatements: round(payAndFinalizeStatements / flows, 1),
    payAndFinalizeCpuMs: pids ? total(payAndFinalizeCpu) : null,
    payAndFinalizeCpuMsByProcess: pids ? perFlow(payAndFinalizeCpu) : null,
  };
}
