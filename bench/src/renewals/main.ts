// bench:renewals — issue 22's renewal run: N due sandbox subscriptions (10,000 by default) renewed
// by Handoff's own renewal scheduler and workers (payment-intent-worker: the `scan-due` job, then
// one `renew` job per subscription running chargeOffSession), Handoff whole as separate processes
// from dist/ (bench/src/harness) on the machine's PostgreSQL and Redis (a fresh database and queue
// prefix, removed at the end).
//
// Fixture: one subscription bought for real (a REST `subscription` session, the card tokenized by
// the sandbox, the intent confirmed: its saved card is a reusable sandbox vault token), then cloned
// N times in bulk by SQL (each with its own id, checkout session id and item) with period 2 due now.
// Measured: from the scan job's enqueueing until every clone's invoice 2 is PAID, its intent
// SUCCEEDED and the subscription in period 2: renewals/s. Then checked: exactly one intent and one
// paid invoice per (subscription, period 2), each for the item's amount; the sandbox holds exactly
// one succeeded charge per renewal intent (the PSP's own records); the ledger's entries balance
// (signed minor units: every transaction's entries sum to 0). Statements per renewal: PostgreSQL's
// `log_statement = all` on the bench database for a separate small run (`--statements-sample`,
// 200 by default), counted from the server log (PG_LOG), all processes (the sandbox PSP included),
// including each renewal's asynchronous follow-ups (the sandbox's webhooks, payment events, the
// ledger), settled.
//
//   npm run bench:renewals                          # 10,000 renewals; prints the table for bench/RESULTS.md
//   npm run bench:renewals -- --subscriptions 1000  # fewer
//   npm run bench:renewals -- --statements-sample 0 # no statement count
//   npm run bench:renewals -- --dump-statements     # also the statements per renewal by shape (the profile)
//   npm run bench:renewals -- --cpu-prof /tmp/prof  # V8 CPU profiles of payment-intent-worker and psp-sandbox (.cpuprofile, written at exit)
import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startSystemHandoff } from '../harness/harness.js';
import { setUpCommerceWorld } from '../harness/world.js';
import { Accounting, cpuSeconds, type PhaseCost } from '../system/accounting.js';

const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const N = Number(argValue('subscriptions') ?? 10_000);
const SAMPLE = Number(argValue('statements-sample') ?? 200);
const CPU_PROF = argValue('cpu-prof');
const LOG = process.env.PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
const UNIT_MINOR = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[bench:renewals] ${m}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main() {
  const h = await startSystemHandoff({
    databasePrefix: 'bench_renewals',
    ...(CPU_PROF ? { nodeArgs: (name: string) => (name === 'payment-intent-worker' || name === 'psp-sandbox' ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []) } : {}),
  });
  const db = h.postgres;
  const redis = new Redis(h.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('billing-renewals', { connection: redis, prefix: h.env.QUEUE_PREFIX });
  try {
    const world = await setUpCommerceWorld(h.graphqlUrl, h.adminKey, 'Renewals');
    const template = await buySubscription(h.gatewayUrl, world.merchant.key, db);
    log(`template subscription ${template}; load ${load()}`);

    const acct = new Accounting(h.postgres, () => [...h.processes.entries()].map(([n, p]) => [n, p.pid]));
    const backends = new BackendSampler(db);
    await backends.sample();
    const sampling = setInterval(() => void backends.sample().catch(() => undefined), 500);
    const before = await acct.snapshot();
    const main = await renewalRun(db, queue, template, N, 'm', () => h.crashes().map((c) => ({ process: c.process, code: c.code, signal: c.signal, tail: c.tail.slice(-300) })));
    main.settleSeconds = await settle(db); // the renewals' asynchronous follow-ups (counted in the cost)
    main.cost = await acct.since(before, N);
    clearInterval(sampling);
    await backends.sample();
    backends.correct(main.cost, N);
    log(`CPU ms per renewal: ${JSON.stringify(main.cost.perOp)}`);
    const checks = await verify(db, main.prefix, N);
    let statements: Statements | undefined;
    if (SAMPLE > 0) statements = await statementsPerRenewal(db, queue, template, SAMPLE);
    report(main, checks, statements);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
    // A CPU profile is written at a clean exit only: SIGTERM (their graceful shutdown) before the harness's SIGKILL.
    if (CPU_PROF) for (const name of ['payment-intent-worker', 'psp-sandbox'] as const) await h.process(name).stop('SIGTERM', 30_000).catch(() => undefined);
    await h.stop();
  }
}

/**
 * The PostgreSQL backends' CPU sampled every 0.5 s through the run: Accounting reads them at its two
 * snapshots only, so a backend a pool closed in between (idle while the follow-ups settle) is
 * missed with all its CPU. Here each backend counts from its first sample (0 when it was born after
 * the first) to its last (up to 0.5 s of a closing backend's last work is still missed).
 */
class BackendSampler {
  private readonly seen = new Map<number, { app: string; first: number; last: number }>();
  private samples = 0;
  constructor(private readonly db: Db) {}

  async sample(): Promise<void> {
    const rows = await this.db.query<{ pid: number; app: string }>(
      `SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    for (const r of rows) {
      const cpu = cpuSeconds(r.pid);
      const s = this.seen.get(r.pid);
      if (s) s.last = Math.max(s.last, cpu);
      else this.seen.set(r.pid, { app: r.app.replace(/^handoff-/, '') || 'other', first: this.samples === 0 ? cpu : 0, last: cpu });
    }
    this.samples++;
  }

  /** Replaces the cost's PostgreSQL figures with the sampled ones (and its totals with them). */
  correct(cost: PhaseCost, ops: number): void {
    const byApp = new Map<string, number>();
    for (const v of this.seen.values()) byApp.set(v.app, (byApp.get(v.app) ?? 0) + v.last - v.first);
    const pg = [...byApp.values()].reduce((a, b) => a + b, 0);
    const was = cost.cpuS['postgres backends'] ?? 0;
    if (pg <= was) return;
    log(`  PostgreSQL backends: ${was.toFixed(2)} CPU s at the snapshots, ${pg.toFixed(2)} sampled (backends closed during the run counted)`);
    for (const k of Object.keys(cost.cpuS)) if (k.startsWith('pg:')) delete cost.cpuS[k];
    cost.cpuS['postgres backends'] = Math.round(pg * 100) / 100;
    for (const [app, v] of byApp) cost.cpuS[`pg:${app}`] = Math.round(v * 100) / 100;
    cost.totalCpuS = Math.round((cost.totalCpuS - was + pg) * 100) / 100;
    if (cost.perOp) {
      const r1 = (v: number) => Math.round(v * 10) / 10;
      cost.perOp.cpuMs = Object.fromEntries(Object.entries(cost.cpuS).map(([n, v]) => [n, r1((v * 1000) / ops)]));
      cost.perOp.totalCpuMs = r1((cost.totalCpuS * 1000) / ops);
      cost.perOp.cpuBoundMaxPerS = r1((cpus().length * 1000) / cost.perOp.totalCpuMs);
    }
  }
}

interface Db {
  database: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** One subscription bought as a merchant's integration does: REST session, sandbox token, confirm. */
async function buySubscription(gatewayUrl: string, key: string, db: Db): Promise<string> {
  const rest = async (path: string, body: unknown) => {
    const res = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const session = await rest('/v1/checkout/sessions', { currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Bench plan', amount: UNIT_MINOR, quantity: 1, recurring: { interval: 'month' } }] });
  const pm = (await rest('/v1/checkout/payment-methods/tokenize', { card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 2, cvc: '123' } })).payment_method_id;
  const [intent] = await db.query<{ id: string }>(`SELECT id FROM payment.payment_intents WHERE checkout_session_id = $1`, [session.checkout_id]);
  await rest(`/v1/checkout/payment-intents/${intent!.id}/confirm`, { payment_method_id: pm });
  for (let i = 0; i < 600; i++) {
    const [sub] = await db.query<{ id: string }>(`SELECT id FROM payment.billing_subscriptions WHERE checkout_session_id = $1 AND status = 'ACTIVE'`, [session.checkout_id]);
    if (sub) return sub.id;
    await sleep(100);
  }
  throw new Error('the template subscription never became ACTIVE');
}

/** N clones of the template (ids `bsub_bench_<prefix>_<i>`), period 1 paid a month ago, period 2 due now. */
async function seed(db: Db, template: string, n: number, prefix: string): Promise<void> {
  await db.query(
    `INSERT INTO payment.billing_subscriptions (id, merchant_id, checkout_session_id, status, currency, interval, interval_count, trial_days, provider,
        payment_method_id, payment_method_brand, payment_method_last4, checkout_payment_intent_id, billing_cycle_anchor, current_period,
        current_period_start, current_period_end, next_renewal_at, metadata, version, created_at, updated_at)
     SELECT 'bsub_bench_' || $2 || '_' || g, t.merchant_id, 'cs_bench_' || $2 || '_' || g, 'ACTIVE', t.currency, t.interval, t.interval_count, 0, t.provider,
        t.payment_method_id, t.payment_method_brand, t.payment_method_last4, t.checkout_payment_intent_id, a.anchor, 1,
        a.anchor, a.anchor + interval '1 month', a.anchor + interval '1 month', t.metadata, 1, now(), now()
       FROM payment.billing_subscriptions t, generate_series(1, $3) g,
            LATERAL (SELECT now() - interval '1 month' - interval '1 minute' AS anchor) a
      WHERE t.id = $1`,
    [template, prefix, n],
  );
  await db.query(
    `INSERT INTO payment.billing_subscription_items (subscription_id, position, name, offer_id, unit_amount_minor, quantity)
     SELECT 'bsub_bench_' || $2 || '_' || g, 0, i.name, i.offer_id, i.unit_amount_minor, i.quantity
       FROM payment.billing_subscription_items i, generate_series(1, $3) g WHERE i.subscription_id = $1 AND i.position = 0`,
    [template, prefix, n],
  );
}

interface Run {
  prefix: string;
  n: number;
  seconds: number;
  /** After the last renewal was recorded, until every follow-up was done (settle()). */
  settleSeconds?: number;
  loadBefore: string;
  loadAfter: string;
  cost?: PhaseCost;
}

const paidCount = async (db: Db, prefix: string) =>
  Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM payment.billing_subscriptions s JOIN payment.billing_invoices i ON i.subscription_id = s.id AND i.period = 2 AND i.status = 'PAID'
          WHERE s.id LIKE $1 AND s.current_period = 2`,
        [`bsub_bench_${prefix}_%`],
      )
    )[0]!.n,
  );

/** Seeds N due clones, enqueues the scheduler's scan job, waits until all are renewed. */
async function renewalRun(db: Db, queue: Queue, template: string, n: number, prefix: string, crashes?: () => unknown[]): Promise<Run> {
  const t0 = Date.now();
  await seed(db, template, n, prefix);
  await db.query(`ANALYZE payment.billing_subscriptions`);
  log(`seeded ${n} due subscriptions in ${Date.now() - t0} ms`);
  const loadBefore = load();
  const started = Date.now();
  // What the job scheduler adds every few minutes (renewal.job.ts RENEWAL_SCAN_JOB), added now.
  await queue.add('scan-due', {}, { jobId: `bench-scan-${prefix}-${started}` });
  let done = 0;
  let lastLog = started;
  for (;;) {
    // A busy server may refuse a connection now and then (max_connections shared with other stacks): ask again.
    done = await paidCount(db, prefix).catch((err: Error) => {
      log(`  poll failed (${err.message}); retrying`);
      return done;
    });
    if (done >= n) break;
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(`  ${done}/${n} renewed after ${((Date.now() - started) / 1000).toFixed(1)} s; load ${load()}`);
    }
    if (Date.now() - started > 30 * 60_000) {
      // Why it stalled: the renew queue's counts (failed jobs keep their error) and the processes' crashes.
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed').catch(() => ({}));
      const failed = await queue.getFailed(0, 2).catch(() => []);
      log(`  stalled: queue ${JSON.stringify(counts)}; failed e.g. ${JSON.stringify(failed.map((j) => j.failedReason))}; crashes ${JSON.stringify(crashes?.() ?? [])}`);
      throw new Error(`only ${done}/${n} renewed after 30 minutes`);
    }
    await sleep(200);
  }
  const seconds = (Date.now() - started) / 1000;
  return { prefix, n, seconds, loadBefore, loadAfter: load() };
}

/**
 * Waits until the renewals' asynchronous follow-ups are done: the sandbox's webhooks applied (no
 * unprocessed inbox row) and every package's outbox relayed, then 3 s for the jobs those rows
 * became (audit rows, webhook intake, ledger). Without it, a webhook pipeline slower than the
 * renewals would leave work after the CPU snapshot (uncounted) and inside the statements sample
 * (counted against the wrong run). Returns how long it took; gives up after 10 minutes.
 */
async function settle(db: Db): Promise<number> {
  const t0 = Date.now();
  const pending = async () => {
    let n = 0;
    for (const sql of [
      `SELECT count(*) AS n FROM payment.webhook_inbox WHERE processed_at IS NULL`,
      ...['payment', 'sandbox', 'ledger', 'merchant', 'checkout'].map((schema) => `SELECT count(*) AS n FROM "${schema}".outbox WHERE delivered_at IS NULL`),
    ]) {
      n += await db.query<{ n: string }>(sql).then(([r]) => Number(r!.n), () => 0);
    }
    return n;
  };
  for (let left = await pending(); left > 0 && Date.now() - t0 < 600_000; left = await pending()) {
    if ((Date.now() - t0) % 5000 < 250) log(`  settling: ${left} webhooks or outbox rows pending`);
    await sleep(250);
  }
  await sleep(3000);
  const seconds = (Date.now() - t0) / 1000;
  log(`  settled in ${seconds.toFixed(1)} s`);
  return seconds;
}

interface Checks {
  intents: number;
  succeeded: number;
  doubleIntents: number;
  wrongAmounts: number;
  pspCharges: number;
  pspChargedMinor: number;
  invoicedMinor: number;
  ledgerUnbalanced: number;
  ledgerEntries: number;
}

async function verify(db: Db, prefix: string, n: number): Promise<Checks> {
  const like = `bsub_bench_${prefix}_%`;
  const [pi] = await db.query<{ intents: string; succeeded: string; doubles: string }>(
    `SELECT count(*) AS intents, count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded,
            count(*) - count(DISTINCT (billing_subscription_id, billing_period)) AS doubles
       FROM payment.payment_intents WHERE billing_subscription_id LIKE $1`,
    [like],
  );
  const [inv] = await db.query<{ wrong: string; total: string }>(
    `SELECT count(*) FILTER (WHERE i.amount_minor <> $2 OR p.amount_minor <> i.amount_minor OR p.status <> 'SUCCEEDED') AS wrong, coalesce(sum(i.amount_minor), 0) AS total
       FROM payment.billing_invoices i JOIN payment.payment_intents p ON p.id = i.payment_intent_id WHERE i.subscription_id LIKE $1 AND i.period = 2`,
    [like, UNIT_MINOR],
  );
  // The sandbox PSP's own records of the renewal intents (its schema in the same database).
  const psp = await db
    .query<{ n: string; total: string }>(
      `SELECT count(*) AS n, coalesce(sum(s.amount_received_minor), 0) AS total FROM sandbox.payments s
         WHERE s.status = 'succeeded' AND s.id IN (SELECT provider_payment_id FROM payment.payment_intents WHERE billing_subscription_id LIKE $1)`,
      [like],
    )
    .catch((err: Error) => {
      log(`  sandbox records not readable (${err.message})`);
      return [{ n: '-1', total: '-1' }];
    });
  const ledger = await db
    .query<{ unbalanced: string; entries: string }>(
      `SELECT count(*) FILTER (WHERE net <> 0) AS unbalanced, coalesce(sum(e), 0) AS entries FROM (
         SELECT transaction_id, sum(amount_minor) AS net, count(*) AS e FROM ledger.ledger_entries GROUP BY transaction_id) x`,
    )
    .catch((err: Error) => {
      log(`  ledger not readable (${err.message})`);
      return [{ unbalanced: '-1', entries: '-1' }];
    });
  const checks: Checks = {
    intents: Number(pi!.intents),
    succeeded: Number(pi!.succeeded),
    doubleIntents: Number(pi!.doubles),
    wrongAmounts: Number(inv!.wrong),
    invoicedMinor: Number(inv!.total),
    pspCharges: Number(psp[0]!.n),
    pspChargedMinor: Number(psp[0]!.total),
    ledgerUnbalanced: Number(ledger[0]!.unbalanced),
    ledgerEntries: Number(ledger[0]!.entries),
  };
  const ok = checks.intents === n && checks.succeeded === n && checks.doubleIntents === 0 && checks.wrongAmounts === 0 && checks.pspCharges === n && checks.pspChargedMinor === n * UNIT_MINOR && checks.ledgerUnbalanced === 0;
  log(`checks ${ok ? 'OK' : 'FAILED'}: ${JSON.stringify(checks)}`);
  if (!ok) process.exitCode = 1;
  return checks;
}

interface Statements {
  n: number;
  total: number;
  perRenewal: number;
}

/** A small run with log_statement = all on the bench database; every statement it caused, settled, per renewal. */
async function statementsPerRenewal(db: Db, queue: Queue, template: string, n: number): Promise<Statements | undefined> {
  try {
    statSync(LOG);
  } catch {
    log(`statements: ${LOG} not readable (PG_LOG names the server log); skipped`);
    return undefined;
  }
  await db.query(`ALTER DATABASE "${db.database}" SET log_statement = 'all'`);
  try {
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await sleep(2000);
    const from = statSync(LOG).size;
    const run = await renewalRun(db, queue, template, n, 's');
    await settle(db); // the renewals' asynchronous follow-ups (webhooks, events, ledger)
    const to = statSync(LOG).size;
    const text = readFileSync(LOG).subarray(from, to).toString('utf8');
    let total = 0;
    const shapes = new Map<string, number>();
    for (const m of text.matchAll(/\[\d+\] \S+@(\S+) LOG:\s+(?:statement|execute [^:]*): (.*)/g)) {
      if (m[1] !== db.database) continue;
      if (m[2]!.startsWith('SELECT count(*) AS n FROM')) continue; // the bench's own polls (renewalRun, settle)
      total++;
      const shape = m[2]!.replace(/\s+/g, ' ').replace(/'[^']*'/g, "'…'").slice(0, 90);
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    if (process.argv.includes('--dump-statements')) {
      for (const [shape, count] of [...shapes.entries()].sort((x, y) => y[1] - x[1]).slice(0, 60)) log(`  ${(count / n).toFixed(2)}  ${shape}`);
    }
    log(`statements: ${total} for ${n} renewals (${run.seconds.toFixed(1)} s with logging on)`);
    return { n, total, perRenewal: total / n };
  } finally {
    await db.query(`ALTER DATABASE "${db.database}" RESET log_statement`);
  }
}

function report(run: Run, c: Checks, s: Statements | undefined) {
  const lines = [
    `| subscriptions due | renewed in | renewals/s | statements per renewal | CPU ms per renewal (all processes + PG backends) | CPU-bound ceiling on 2 cores | commits per renewal | load average before → after (1, 5, 15 min) |`,
    `|---|---|---|---|---|---|---|---|`,
    `| ${run.n} | ${run.seconds.toFixed(1)} s${run.settleSeconds !== undefined ? ` (+${run.settleSeconds.toFixed(1)} s follow-ups settling)` : ''} | ${(run.n / run.seconds).toFixed(0)} | ${s ? `${s.perRenewal.toFixed(1)} (sample of ${s.n})` : '–'} | ${run.cost?.perOp?.totalCpuMs ?? '–'} | ${run.cost?.perOp ? `${run.cost.perOp.cpuBoundMaxPerS}/s` : '–'} | ${run.cost?.perOp?.commits ?? '–'} | ${run.loadBefore} → ${run.loadAfter} |`,
    '',
    `CPU ms per renewal by process: ${run.cost?.perOp ? Object.entries(run.cost.perOp.cpuMs).filter(([, v]) => v >= 0.1).map(([k, v]) => `${k} ${v}`).join(', ') : '–'}`,
    '',
    `Checks: ${c.intents} renewal intents, ${c.succeeded} SUCCEEDED, ${c.doubleIntents} second intents for a period, ${c.wrongAmounts} invoices whose amount or intent disagree; ` +
      `sandbox: ${c.pspCharges} succeeded charges, ${c.pspChargedMinor} minor units charged vs ${c.invoicedMinor} invoiced; ledger: ${c.ledgerEntries} entries, ${c.ledgerUnbalanced} unbalanced transactions.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
