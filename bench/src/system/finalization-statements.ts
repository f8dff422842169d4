// Statements per step of bench:system's finalization flow (finalization.ts): PostgreSQL's
// `log_statement = all` switched on for the bench's database only (pg_stat_statements is not
// preloaded on this server), a few flows run one by one, the server log read back between steps
// and counted for every process (gateway-driven subgraph calls and the workers' follow-ups that
// land inside the step's window: the payment's events are processed asynchronously, so the
// worker's share that lands after the finalize answer is counted, after a settle pause, as
// `after (async)`).
import { readFileSync, statSync } from 'node:fs';
import type { SharedPostgres } from '../harness/shared-services.js';
import { runFlow, STEPS, type FinalizationWorld, type Step } from './finalization.js';
import { round, sleep } from './measure.js';

const LOG = process.env.PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const SETTLE_MS = 1500;

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
    await sleep(SETTLE_MS);
    const totals: Record<string, number> = Object.fromEntries([...STEPS, 'after (async)'].map((s) => [s, 0]));
    for (let i = 0; i < sessions; i++) {
      let mark = statSync(LOG).size;
      const marks: Array<[Step | 'after (async)', number]> = [];
      await runFlow(w, (step) => {
        // Called as each step ends: what the log holds now is that step's (the flow is sequential).
        marks.push([step, mark]);
        mark = statSync(LOG).size;
      });
      await sleep(SETTLE_MS);
      marks.push(['after (async)', mark]);
      const end = statSync(LOG).size;
      for (let k = 0; k < marks.length; k++) {
        const [step, from] = marks[k]!;
        const to = k + 1 < marks.length ? marks[k + 1]![1] : end;
        totals[step]! += countBetween(from, to, db.database);
      }
    }
    const per = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, round(v / sessions, 1)]));
    per.total = round(Object.values(totals).reduce((a, b) => a + b, 0) / sessions, 1);
    return per;
  } finally {
    await db.query(`ALTER DATABASE "${db.database}" RESET log_statement`);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  }
}

function countBetween(from: number, to: number, db: string): number {
  const buf = readFileSync(LOG).subarray(from, to).toString('utf8');
  let n = 0;
  for (const m of buf.matchAll(/\[\d+\] \S+@(\S+) LOG:\s+(?:statement|execute [^:]*): /g)) if (m[1] === db) n++;
  return n;
}
