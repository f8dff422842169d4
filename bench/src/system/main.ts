// bench:system — Handoff whole (gateway, four subgraphs, four workers as separate processes from
// dist/, bench/src/harness) on the machine's PostgreSQL and Redis (a fresh database and queue
// prefix, removed at the end): agent checkouts/s end to end, webhooks acknowledged/s and
// processed/s, conversions recorded/s, settlement of 100,000 conversions; beside each the rate
// of plain single-row INSERT transactions this PostgreSQL takes from Node at the same
// concurrency, measured in the same run just before it; peak RSS of every process per phase; the
// idle RSS of the all-in-one process (`npm start`); calculateCheckout/s of a 10-line session with
// promotions, tax and shipping, against reads of its totals (calculation.ts).
//
//   npm run bench:system              # ~5 min; writes bench/results/system.json and bench/RESULTS.md
//   npm run bench:system -- --quick   # tiny numbers, writes nothing (a smoke run)
//   npm run bench:system -- --only checkouts --profile DIR
//                                     # one phase (checkouts|calculation|webhooks|settlement), writes nothing;
//                                     # --profile writes a V8 CPU profile per process (<name>.cpuprofile),
//                                     # summarised by `node bench/dist/harness/profile-summary.js DIR`
//   npm run bench:system -- --only webhooks --hold-processing
//                                     # the four workers stopped (SIGSTOP) while the webhooks are sent and
//                                     # resumed after the last acknowledgement: what acknowledging alone
//                                     # reaches when no processing competes for the cores; writes nothing
//   npm run bench:system -- --only outbound-webhooks [--events 5000] [--rate 500] [--seconds 10]
//                                     # outbound webhooks (outbound-webhooks.ts): a burst of N events, then R
//                                     # events/s for S seconds, delivered to a receiver on loopback
//                                     # (WEBHOOK_ALLOW_PRIVATE_URLS=true for this phase); writes nothing
//   npm run bench:system -- --only finalization [--profile DIR] [--finalize-after MS]
//                                     # issue 20's flow (finalization.ts): a 3-line session created, calculated,
//                                     # reserved, paid on the hosted page's API (sandbox card) and finalized, at
//                                     # 1 and 8 workers, with p50/p99 per step and statements per session
//                                     # (finalization-statements.ts); writes nothing (its table goes to RESULTS.md by hand)
//   npm run bench:system -- --only acp
//                                     # issue 21's ACP flow (acp.ts): create → update (address) → delegate_payment →
//                                     # complete through the gateway with an agent key, at 1 and 8 workers, p50/p99
//                                     # per call and completions/s; writes nothing (its table goes to RESULTS.md by hand)
//   npm run bench:system -- --only tracing
//                                     # issue 24 (tracing.ts): agent checkouts/s and CPU ms per checkout with tracing off,
//                                     # at 1 % and at 100 % sampling (OTLP to a discarding sink here): three Handoffs started
//                                     # together, measured in turn over two rounds, as ratios to off; ~2.3 min on a loaded
//                                     # machine; writes nothing (its table goes to RESULTS.md by hand)
//   npm run bench:system -- --only floor
//                                     # issue 24 (floor.ts, floor-server.ts): agent checkouts/s and webhook acks/s of Handoff
//                                     # against a hand-written single-process floor making the same durable writes, same run,
//                                     # as ratios; ~1.5 min; writes nothing (its table goes to RESULTS.md by hand)
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startSystemHandoff, type FaultHandoff } from '../harness/harness.js';
import { SHARED_PG_SERVER, type SharedPostgres, type SharedRedis } from '../harness/shared-services.js';
import { setUpCommerceWorld, type CheckedOutIntent } from '../harness/world.js';
import { Accounting } from './accounting.js';
import { measureAllInOneIdle } from './all-in-one.js';
import { measureInsertAnchor } from './anchor.js';
import { calculationTable, measureCalculationPhase } from './calculation.js';
import { measureCheckouts } from './checkout.js';
import { load, round, RssSampler, sleep, type LoopResult } from './measure.js';
import { tableOf, writeResults, type SystemResult } from './report.js';
import { measureSettlement } from './settlement.js';
import { measureOutboundWebhooks, outboundTable } from './outbound-webhooks.js';
import { finalizationTable, measureFinalizationLevel, setUpFinalizationWorld, type FinalizationLevel } from './finalization.js';
import { finalizationStatements } from './finalization-statements.js';
import { acpTable, measureAcpLevel, setUpAcpWorld, type AcpLevel } from './acp.js';
import { measureWebhooks } from './webhooks.js';
import { measureTracingModes, tracingTable } from './tracing.js';
import { floorTable, measureFloorComparison } from './floor.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const QUICK = process.argv.includes('--quick');
const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const PHASES = ['checkouts', 'calculation', 'webhooks', 'settlement', 'outbound-webhooks', 'finalization', 'acp', 'tracing', 'floor'] as const;
const ONLY = argValue('only') as (typeof PHASES)[number] | undefined;
if (ONLY && !(PHASES as readonly string[]).includes(ONLY)) throw new Error(`--only: ${PHASES.join(', ')}, not ${ONLY}`);
const PROFILE = argValue('profile');
const HOLD_PROCESSING = process.argv.includes('--hold-processing');
// Diagnostic: the finalization flow waits this long between pay's answer and finalize, so finalize
// is timed after pay's asynchronous fallout (webhooks, outbox jobs) has run, not beside it.
const FINALIZE_AFTER_MS = Number(argValue('finalize-after') ?? 0);
if (!Number.isFinite(FINALIZE_AFTER_MS) || FINALIZE_AFTER_MS < 0) throw new Error('--finalize-after: milliseconds, >= 0');
if (HOLD_PROCESSING && ONLY !== 'webhooks') throw new Error('--hold-processing goes with --only webhooks');
const WRITE = !QUICK && !ONLY && !PROFILE;
const CHECKOUT_CONCURRENCY = QUICK ? [4] : [16, 32];
const WEBHOOK_CONCURRENCY = QUICK ? 4 : 32;
const ANCHOR = QUICK ? { warmupMs: 500, durationMs: 2000 } : { warmupMs: 1000, durationMs: 8000 };
const CHECKOUT = QUICK ? { warmupMs: 1000, durationMs: 3000 } : { warmupMs: 4000, durationMs: 20_000 };
const CALCULATION_CONCURRENCY = QUICK ? [1, 4] : [1, 8, 16];
const CALCULATION = QUICK ? { warmupMs: 1000, durationMs: 3000 } : { warmupMs: 3000, durationMs: 15_000 };
const FINALIZATION_CONCURRENCY = QUICK ? [1, 2] : [1, 8];
const FINALIZATION = QUICK ? { warmupMs: 1000, durationMs: 3000 } : { warmupMs: 3000, durationMs: 15_000 };
const MAX_WEBHOOK_INTENTS = QUICK ? 50 : 1500;
const SETTLE_N = QUICK ? 2000 : 100_000;
const OUTBOUND = {
  burstEvents: Number(argValue('events') ?? (QUICK ? 500 : 5000)),
  pacedRate: Number(argValue('rate') ?? (QUICK ? 200 : 500)),
  pacedSeconds: Number(argValue('seconds') ?? (QUICK ? 3 : 10)),
};

const log = (msg: string) => process.stderr.write(`[bench:system ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const METHOD = [
  'Method. Handoff as production runs it: gateway, four subgraphs and four workers as separate OS processes from dist/ (bench/src/harness, NODE_ENV=production, default pool sizes), ' +
    "on the machine's PostgreSQL (synchronous_commit on, as configured; a fresh database, dropped at the end) and Redis (a unique QUEUE_PREFIX, its keys deleted at the end). Nothing is CPU-pinned; the bench client runs on the same 2 cores.",
  '- **Anchor**: N `pg` connections from Node, each doing autocommit single-row `INSERT` into a scratch table back to back; measured right before the figure it anchors, at the same N (1 s warm-up, 8 s).',
  '- **Agent checkout**: N closed-loop clients over HTTP through the gateway, each checkout = `startAgentSession` + `recommend` + `checkout` (fresh session and idempotency key each); 4 s warm-up, 20 s measured.',
  '- **Calculation**: a merchant with a GB shipping zone (2 rates), GB tax 20 % plus a reduced category, and 3 stacking promotions (10 % code, automatic £5 off £40, 15 % code on 3 offers); one 10-line session per worker with address, shipping option and both codes set. ' +
    'N closed-loop clients call `calculateCheckout(id)` (session totals and the calculation summary asked back), worker i on session i; the baseline is `checkoutSession(id) { totals }` at the same N just before; 3 s warm-up, 15 s measured each.',
  '- **Webhooks**: for each payment intent made by the checkouts, the 4 events of a successful payment, signed as the sandbox PSP signs, sent by N closed-loop senders (5xx/timeouts retried with backoff, honouring Retry-After). ' +
    'Acknowledged = 2xx received; processed = `payment.webhook_inbox.processed_at` set; conversions = verified rows in `ledger.conversions` (by their timestamps).',
  '- **Settlement**: 100,000 PENDING conversions past their window with commission posted (bulk SQL set-up + ANALYZE, not measured), then `runSettlement` through the gateway as admin, timed from the request to its `settlement_runs` row being committed (polled every 50 ms). The anchor is 1 connection (one run is one transaction).',
  '- Rates are the **median of one-second rates** in the measured window (mean beside it). RSS is VmRSS from /proc every 200 ms: peak per phase, idle 3 s after start, and the all-in-one process (`node launcher/dist/all-in-one.js`, demo data loaded) 10 s after it reports running.',
];

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = load();
  log(`load average ${loadAtStart.join(' ')}; starting Handoff on ${SHARED_PG_SERVER}`);
  if (ONLY === 'tracing') {
    // A Handoff per mode (tracing is configured at process start), the three started and stopped in tracing.ts.
    const modes = await measureTracingModes(
      { concurrency: 16, rounds: QUICK ? 1 : 2, warmupMs: QUICK ? 1000 : 2000, timing: QUICK ? { warmupMs: 300, durationMs: 3000 } : { warmupMs: 500, durationMs: 6000 } },
      log,
    );
    process.stdout.write(`\n${tracingTable(modes)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}; ${round((Date.now() - started) / 1000)} s.\n`);
    return;
  }
  let h: FaultHandoff<SharedPostgres, SharedRedis> | undefined;
  const sampler = new RssSampler(() => [...(h?.processes.entries() ?? [])].map(([n, p]) => [n, p.pid]));
  try {
    h = await startSystemHandoff({
      databasePrefix: 'handoff_bench_system',
      // The outbound-webhooks phase delivers to a receiver on loopback, which production refuses by default.
      extraEnv: { NODE_ENV: 'production', ...(ONLY === 'outbound-webhooks' ? { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } : {}) },
      ...(PROFILE ? { nodeArgs: (name: string) => ['--cpu-prof', '--cpu-prof-dir', PROFILE, '--cpu-prof-name', `${name}.cpuprofile`] } : {}),
    });
    sampler.start();
    await sleep(3000);
    const idleRssAfterStartMiB = sampler.takePhase();
    log(`running (database ${h.postgres.database}); idle RSS ${JSON.stringify(idleRssAfterStartMiB)}`);
    const world = await setUpCommerceWorld(h.graphqlUrl, h.adminKey, 'System');
    const acct = new Accounting(h.postgres, () => [...h!.processes.entries()].map(([n, p]) => [n, p.pid]));

    const anchors: Record<string, LoopResult> = {};
    const anchor = async (key: string, c: number) => {
      anchors[key] = await measureInsertAnchor(h!.postgres.url, c, ANCHOR);
      log(`anchor ${key}: ${anchors[key]!.rate.median} INSERT tx/s (mean ${anchors[key]!.rate.mean})`);
    };

    const intents: CheckedOutIntent[] = [];
    const checkouts: SystemResult['checkouts'] = [];
    if (ONLY === 'settlement') {
      await anchor('settlement-c1', 1);
      const s = await measureSettlement(h.graphqlUrl, h.adminKey, h.postgres, SETTLE_N, log);
      log(`settlement of ${s.conversions}: ${s.seconds} s (totals ${s.exact ? 'exact' : 'WRONG'}; gateway ${s.gatewayAnswer})`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    if (ONLY === 'outbound-webhooks') {
      const o = await measureOutboundWebhooks(h, OUTBOUND, acct, log);
      process.stdout.write(`\n${outboundTable(o)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}.\n`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    if (ONLY === 'finalization') {
      const fw = await setUpFinalizationWorld(h.gatewayUrl, h.adminKey);
      const levels: FinalizationLevel[] = [];
      for (const c of FINALIZATION_CONCURRENCY) {
        const l = await measureFinalizationLevel(fw, c, FINALIZATION, acct, FINALIZE_AFTER_MS);
        levels.push(l);
        log(`finalization flows at ${c}: ${l.sessions.median}/s (mean ${l.sessions.mean}), steps ${JSON.stringify(l.steps)}, errors ${JSON.stringify(l.errors)}`);
        log(`  cost per session: ${JSON.stringify(l.cost.perOp)}`);
        await sleep(1000);
      }
      // A diagnostic after the figures: on a shared server out of connections it is skipped, the table still printed.
      const statements = PROFILE
        ? undefined
        : await finalizationStatements(h.postgres, fw, QUICK ? 2 : 5, log, () => [...h!.processes.entries()].map(([n, p]) => [n, p.pid])).catch((err: unknown) => {
            log(`  statements skipped: ${(err as Error).message}`);
            return undefined;
          });
      process.stdout.write(`\n${finalizationTable(levels, statements)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}.\n`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    if (ONLY === 'acp') {
      const aw = await setUpAcpWorld(h.gatewayUrl, h.adminKey);
      const levels: AcpLevel[] = [];
      for (const c of FINALIZATION_CONCURRENCY) {
        const l = await measureAcpLevel(aw, c, FINALIZATION, acct);
        levels.push(l);
        log(`ACP purchases at ${c}: ${l.completions.median}/s (mean ${l.completions.mean}), steps ${JSON.stringify(l.steps)}, errors ${JSON.stringify(l.errors)}`);
        await sleep(1000);
      }
      process.stdout.write(`\n${acpTable(levels)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}.\n`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    if (ONLY === 'floor') {
      const f = await measureFloorComparison(
        h,
        world,
        { checkoutConcurrency: 16, webhookConcurrency: 32, rounds: 2, checkout: QUICK ? { warmupMs: 1000, durationMs: 3000 } : { warmupMs: 2000, durationMs: 8000 }, maxAckMs: 8000 },
        log,
      );
      process.stdout.write(`\n${floorTable(f)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}; ${round((Date.now() - started) / 1000)} s.\n`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    if (ONLY === 'calculation') {
      const calc = await measureCalculationPhase(h.graphqlUrl, h.adminKey, CALCULATION_CONCURRENCY, CALCULATION, acct, log);
      process.stdout.write(`\n${calculationTable(calc)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${load().join(' ')}.\n`);
      return await finishPhaseOnly(h, sampler.overall);
    }
    for (const c of CHECKOUT_CONCURRENCY) {
      await anchor(`checkout-c${c}`, c);
      sampler.takePhase();
      const before = intents.length;
      const t = await acct.snapshot();
      const r = await measureCheckouts(h.graphqlUrl, world, c, CHECKOUT, intents);
      checkouts.push({ ...r, peakRssMiB: sampler.takePhase(), load: load(), cost: await acct.since(t, intents.length - before) });
      log(`  cost per checkout: ${JSON.stringify(checkouts.at(-1)!.cost.perOp)}`);
      log(`checkouts at ${c}: ${r.rate.median}/s (mean ${r.rate.mean}), p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, errors ${JSON.stringify(r.errors)}`);
      await sleep(2000);
    }
    if (ONLY === 'checkouts') return await finishPhaseOnly(h, sampler.overall);

    sampler.takePhase();
    const calc = await measureCalculationPhase(h.graphqlUrl, h.adminKey, CALCULATION_CONCURRENCY, CALCULATION, acct, log);
    const calculation = { ...calc, peakRssMiB: sampler.takePhase() };

    await anchor(`webhooks-c${WEBHOOK_CONCURRENCY}`, WEBHOOK_CONCURRENCY);
    sampler.takePhase();
    const forWebhooks = intents.slice(0, MAX_WEBHOOK_INTENTS);
    log(`webhooks: ${forWebhooks.length * 4} for ${forWebhooks.length} intents at ${WEBHOOK_CONCURRENCY}`);
    const tw = await acct.snapshot();
    const workers = [...h.processes.entries()].filter(([name]) => name.endsWith('-worker')).map(([, p]) => p.pid);
    const signalWorkers = (signal: 'SIGSTOP' | 'SIGCONT') => {
      for (const pid of workers) if (pid) process.kill(pid, signal);
    };
    if (HOLD_PROCESSING) {
      log('  workers stopped (SIGSTOP) until the last acknowledgement');
      signalWorkers('SIGSTOP');
    }
    const w = await measureWebhooks(h.gatewayUrl, world, h.postgres, forWebhooks, WEBHOOK_CONCURRENCY, log, undefined, () => {
      if (HOLD_PROCESSING) signalWorkers('SIGCONT');
    }).finally(() => {
      if (HOLD_PROCESSING) signalWorkers('SIGCONT');
    });
    const webhooks = { ...w, peakRssMiB: sampler.takePhase(), load: load(), cost: await acct.since(tw, w.sent) };
    log(`  cost per webhook (received to conversion): ${JSON.stringify(webhooks.cost.perOp)}`);
    log(`webhooks: acknowledged ${w.acknowledged.median}/s, processed ${w.processed.median}/s (${w.processed.mean}/s end to end), conversions ${w.conversions.median}/s (${w.conversions.mean}/s)`);
    if (ONLY === 'webhooks') return await finishPhaseOnly(h, sampler.overall);

    await anchor('settlement-c1', 1);
    sampler.takePhase();
    const s = await measureSettlement(h.graphqlUrl, h.adminKey, h.postgres, SETTLE_N, log);
    const settlement = { ...s, peakRssMiB: sampler.takePhase(), anchorAt1: anchors['settlement-c1']!.rate.median, load: load() };
    const statements = await settlementStatements(h.postgres);
    if (statements.length) log(`  settlement statements (pg_stat_statements): ${JSON.stringify(statements)}`);
    log(`settlement of ${s.conversions}: ${s.seconds} s (totals ${s.exact ? 'exact' : 'WRONG'}; gateway ${s.gatewayAnswer})`);
    const crashes = h.crashes();
    if (crashes.length) log(`unexpected exits: ${crashes.map((c) => `${c.process} ${c.code ?? c.signal}\n${c.tail}`).join('\n')}`);
    const peakRssMiB = Object.fromEntries([...sampler.overall.entries()].map(([k, v]) => [k, Math.round(v)]));
    sampler.stop();
    await h.stop();
    h = undefined;

    const allInOne = await measureAllInOneIdle(ROOT, QUICK ? 3000 : 10_000, QUICK ? 1000 : 5000, log);
    const result: SystemResult = {
      when: new Date().toISOString(),
      quick: QUICK,
      durationS: round((Date.now() - started) / 1000, 0),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, pgServer: `PostgreSQL at ${SHARED_PG_SERVER.replace(/^.*@/, '')}`, loadAtStart, loadAtEnd: load() },
      anchors,
      checkouts,
      calculation,
      webhooks,
      settlement,
      idleRssAfterStartMiB,
      peakRssMiB,
      allInOne,
    };
    process.stdout.write(`\n${tableOf(result)}\n\nLoad average at start ${loadAtStart.join(' ')}, at end ${result.machine.loadAtEnd.join(' ')}.\n`);
    if (!WRITE) log('--quick: nothing written');
    else {
      writeResults(ROOT, result, METHOD, [`Load average after each phase: checkouts ${checkouts.map((c) => c.load.join(' ')).join(' / ')}; calculation ${calculation.levels.map((l) => l.load.join(' ')).join(' / ')}; webhooks ${webhooks.load.join(' ')}; settlement ${settlement.load.join(' ')}.`]);
      log('wrote bench/results/system.json and the System section of bench/RESULTS.md');
    }
  } finally {
    sampler.stop();
    await h?.stop();
  }
}

/** `--only`: the phase's figures are logged; profiles are written as each process exits on SIGTERM. */
async function finishPhaseOnly(h: FaultHandoff<SharedPostgres, SharedRedis>, peakRssMiB: Map<string, number>): Promise<void> {
  log(`peak RSS over the run (MiB): ${JSON.stringify(Object.fromEntries([...peakRssMiB].map(([k, v]) => [k, Math.round(v)])))}`);
  if (PROFILE) {
    await Promise.all([...h.processes.values()].map((p) => p.stop('SIGTERM', 30_000)));
    log(`CPU profiles in ${PROFILE}; summary: node bench/dist/harness/profile-summary.js ${PROFILE}`);
  }
  log('--only: nothing written');
}

main().catch((err) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 2;
});

/** The settlement run's statements by time, if pg_stat_statements is installed in this database (it usually is not). */
async function settlementStatements(db: SharedPostgres): Promise<Array<{ ms: number; sql: string }>> {
  try {
    const rows = await db.query<{ ms: number; sql: string }>(
      `SELECT round(total_exec_time)::int AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS sql FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~ 'settle_run|settlement_lines|outbox' ORDER BY 1 DESC LIMIT 8`,
    );
    return rows;
  } catch {
    return [];
  }
}
