// Statements per step of bench:system's finalization flow (finalization.ts): PostgreSQL's
// `log_statement = all` switched on for the bench's database only (pg_stat_statements is not
// preloaded on this server), a few flows run one by one with a settle pause before each step, the
// server log read back and counted for every process. A step's count is everything from its start
// to the next step's: its own statements and the asynchronous follow-ups it caused (the payment's
// events, outbound webhooks), settled. Since the pay step's events are settled before finalize,
// finalize finds the session COMPLETE here (no call to payment-intent), as a merchant finalizing
// on `checkout.completed` does. The finalize step's statements are also logged one by one.
import { readFileSync, statSync } from 'node:fs';
import type { SharedPostgres } from '../harness/shared-services.js';
import { runFlow, STEPS, type FinalizationWorld, type Step } from './finalization.js';
import { round, sleep } from './measure.js';

const LOG = process.env.PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const SETTLE_MS = 1500;

function statementsBetween(from: number, to: number, db: string): Array<{ pid: string; sql: string }> {
  const text = readFileSync(LOG).subarray(from, to).toString('utf8');
  const out: Array<{ pid: string; sql: string }> = [];
  for (const m of text.matchAll(/\[(\d+)\] \S+@(\S+) LOG:\s+(?:statement|execute [^:]*): (.*)/g)) if (m[2] === db) out.push({ pid: m[1]!, sql: m[3]!.replace(/\s+/g, ' ').slice(0, 120) });
  return out;
}

/** Statements per session by step (and in total), or undefined when the server log cannot be read. */
export async function finalizationStatements(db: SharedPostgres, w: FinalizationWorld, sessions: number, log: (m: string) => void): Promise<Record<string, number> | undefined> {
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
    return per;
  } finally {
    await db.query(`ALTER DATABASE "${db.database}" RESET log_statement`);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  }
}
