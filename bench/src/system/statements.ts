// How many statements one agent checkout (or one PSP webhook, received to processed) sends to
// PostgreSQL, and from which process: Handoff whole (as bench:system starts it), a few checkouts
// with PostgreSQL's `log_statement = all` switched on for the bench's database only, the server log
// read back and grouped by the connection's application_name. A diagnostic, not a benchmark: it
// writes nothing.
//
//   node bench/dist/system/statements.js [--checkouts 5]
//   node bench/dist/system/statements.js --webhooks 5   (the 4 events of a successful payment for
//                                                       each of 5 intents made before logging starts)
//   node bench/dist/system/statements.js --calculations 5   (calculateCheckout of bench:system's
//                                                       10-line session with promotions, tax, shipping)
import { readFileSync, statSync } from 'node:fs';
import { startSystemHandoff } from '../harness/harness.js';
import { postSignedWebhook, pspEventsFor } from '../harness/psp-webhooks.js';
import { agentCheckout, gql, setUpCommerceWorld, type CheckedOutIntent } from '../harness/world.js';
import { CALCULATE, setUpCalculationWorld } from './calculation.js';
import { sleep } from './measure.js';

const LOG = process.env.PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const webhooksAt = process.argv.indexOf('--webhooks');
const calculationsAt = process.argv.indexOf('--calculations');
const at = webhooksAt >= 0 ? webhooksAt : calculationsAt >= 0 ? calculationsAt : process.argv.indexOf('--checkouts');
const N = at >= 0 ? Number(process.argv[at + 1]) : 5;
if (!Number.isInteger(N) || N < 1) throw new Error('--checkouts, --webhooks and --calculations take a whole number');
const WEBHOOKS = webhooksAt >= 0;
const CALCULATIONS = calculationsAt >= 0;
/** What the counts are per: a checkout, a webhook (4 per intent) or a calculation. */
const per = WEBHOOKS ? 'webhook' : CALCULATIONS ? 'calculation' : 'checkout';
const units = WEBHOOKS ? N * 4 : N;

async function main(): Promise<void> {
  const h = await startSystemHandoff({ databasePrefix: 'handoff_bench_statements', extraEnv: { NODE_ENV: 'production' } });
  try {
    const world = await setUpCommerceWorld(h.graphqlUrl, h.adminKey, 'Stmt');
    const call = <R = any>(query: string, variables?: Record<string, unknown>) => gql<R>(h.graphqlUrl, world.agent.key, query, variables, 30_000);
    const calc = CALCULATIONS ? await setUpCalculationWorld(h.graphqlUrl, h.adminKey, 1) : undefined;
    const calculate = () => gql(h.graphqlUrl, calc!.merchantKey, CALCULATE, { id: calc!.sessionIds[0] }, 30_000);
    await agentCheckout(call, world.offerId, `warm-${Date.now()}`);
    if (calc) for (let i = 0; i < 5; i++) await calculate();
    await sleep(2000);
    const db = h.postgres.database;
    await h.postgres.query(`ALTER DATABASE "${db}" SET log_statement = 'all'`);
    // A database setting reaches new sessions only: the pools' connections are older. Reload them
    // by terminating every backend of the database (the pools reconnect).
    await h.postgres.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await sleep(1500);
    for (let i = 0; i < 2; i++) await agentCheckout(call, world.offerId, `reconnect-${Date.now()}-${i}`).catch(() => undefined);
    if (calc) for (let i = 0; i < 2; i++) await calculate().catch(() => undefined);
    const intents: CheckedOutIntent[] = [];
    if (WEBHOOKS) for (let i = 0; i < N; i++) intents.push(await agentCheckout(call, world.offerId, `hook-${Date.now()}-${i}`));
    await sleep(3000);
    const from = statSync(LOG).size;
    if (WEBHOOKS) {
      const url = `${h.gatewayUrl}/webhooks/test/${world.merchant.id}`;
      for (const [i, pi] of intents.entries()) {
        for (const ev of pspEventsFor(pi, i, 'succeed', 'stmt')) {
          const r = await postSignedWebhook(url, world.merchant.webhookSecret, ev.body, 10_000);
          if (r.status !== 200) throw new Error(`webhook ${ev.eventId}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
      const ids = intents.map((pi) => pi.id);
      for (let waited = 0; ; waited += 250) {
        const [{ n }] = await h.postgres.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.conversions WHERE payment_intent_id = ANY($1::text[])`, [ids]);
        if (n === ids.length) break;
        if (waited > 30_000) throw new Error(`only ${n} of ${ids.length} conversions recorded`);
        await sleep(250);
      }
    } else if (calc) {
      for (let i = 0; i < N; i++) await calculate();
    } else {
      for (let i = 0; i < N; i++) await agentCheckout(call, world.offerId, `stmt-${Date.now()}-${i}`);
    }
    await sleep(3000);
    const text = readFileSync(LOG, 'utf8').slice(from); // the log is ASCII in these lines
    await h.postgres.query(`ALTER DATABASE "${db}" RESET log_statement`);
    const apps = new Map((await h.postgres.query<{ pid: number; app: string }>(`SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database()`)).map((r) => [r.pid, r.app]));
    const byApp = new Map<string, Map<string, number>>();
    for (const m of text.matchAll(/\[(\d+)\] \S+@(\S+) LOG:\s+(?:statement|execute [^:]*): (.*)/g)) {
      if (m[2] !== db) continue;
      const app = apps.get(Number(m[1])) ?? `pid ${m[1]}`;
      const sql = m[3]!.replace(/\s+/g, ' ').slice(0, 110);
      const counts = byApp.get(app) ?? new Map<string, number>();
      counts.set(sql, (counts.get(sql) ?? 0) + 1);
      byApp.set(app, counts);
    }
    let total = 0;
    for (const [app, perSql] of [...byApp].sort()) {
      const n = [...perSql.values()].reduce((a, b) => a + b, 0);
      total += n;
      process.stdout.write(`\n${app}: ${(n / units).toFixed(1)} statements per ${per}\n`);
      for (const [sql, c] of [...perSql].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${(c / units).toFixed(1).padStart(5)}  ${sql}\n`);
    }
    process.stdout.write(`\ntotal ${(total / units).toFixed(1)} statements per ${per} (${units} ${per}s)\n`);
  } finally {
    await h.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
