// The webhook storm (RELIABILITY.md, "Figures to hold"): signed webhooks at a fixed rate with
// duplicates and out-of-order deliveries while a worker is SIGKILLed twice, Redis restarts once
// and PostgreSQL stops mid-run; then waits for the backlog to drain and compares what Handoff
// holds with what was sent.
import type { FaultHandoff } from '../../bench/src/harness/harness.js';
import { sleep } from '../../bench/src/harness/processes.js';
import { ledgerCheck, readStormState, settled, type LedgerCheck, type StormState } from './storm-check.js';
import { drive, percentile, SHED_FAILURE, type SendOutcome } from './storm-driver.js';
import { intentsFor, planStorm } from './storm-plan.js';
import { startStormMonitor } from './storm-monitor.js';
import { setUpStormWorld } from './storm-world.js';
import { explainMissingConversions } from './storm-diagnosis.js';

export interface StormProfile {
  name: 'ci' | 'full';
  ratePerSecond: number;
  durationS: number;
  duplicateRatio: number;
  outOfOrderRatio: number;
  pgOutageMs: number;
  /** How long to wait for the backlog after the last fault before calling what is left lost. */
  drainTimeoutMs: number;
}

export const CI_STORM: StormProfile = { name: 'ci', ratePerSecond: 20, durationS: 15, duplicateRatio: 0.1, outOfOrderRatio: 0.05, pgOutageMs: 4000, drainTimeoutMs: 90_000 };
export const FULL_STORM: StormProfile = { name: 'full', ratePerSecond: 200, durationS: 60, duplicateRatio: 0.1, outOfOrderRatio: 0.05, pgOutageMs: 10_000, drainTimeoutMs: 180_000 };

export interface FaultEvent {
  atMs: number;
  what: string;
  tookMs: number;
}

export interface StormReport {
  profile: StormProfile;
  intents: number;
  uniqueEvents: number;
  sent: number;
  duplicatesSent: number;
  outOfOrderSent: number;
  acknowledged: number;
  ackedAsDuplicate: number;
  refused: Array<{ status: number; body: string }>;
  unacknowledged: number;
  retriedSends: number;
  /** Every HTTP attempt, acknowledged or not. */
  attempts: number;
  failedAttempts: Record<string, number>;
  /** Failed attempts that Handoff shed at once (503 + Retry-After: too many webhooks in flight). */
  shedAttempts: number;
  processed: number;
  expectedConversions: number;
  lostEvents: number;
  lostConversions: number;
  /** Where each missing conversion's evidence stopped (empty when none is missing). */
  missingConversionsExplained: string;
  duplicatedConversions: number;
  duplicatedPostings: number;
  wrongIntents: StormState['wrongIntents'];
  wrongConversions: StormState['wrongConversions'];
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  ackP99OutsideOutageMs: number;
  /** The sender thread's own event-loop delay while sending: large values make its latencies unreliable. */
  driverLoopDelayP99Ms: number;
  driverLoopDelayMaxMs: number;
  drainMs: number | null;
  ledger: LedgerCheck;
  faults: FaultEvent[];
  crashes: ReturnType<FaultHandoff['crashes']>;
  setupMs: number;
  sendMs: number;
}


export async function runStorm(h: FaultHandoff, profile: StormProfile, log: (line: string) => void = () => undefined): Promise<StormReport> {
  const totalSends = profile.ratePerSecond * profile.durationS;
  const setupStart = Date.now();
  const intentCount = intentsFor(totalSends, profile.duplicateRatio);
  log(`storm ${profile.name}: ${totalSends} webhooks at ${profile.ratePerSecond}/s over ${intentCount} payment intents; setting up`);
  const world = await setUpStormWorld(h.graphqlUrl, h.adminKey, intentCount, log);
  const plan = planStorm(world.intents, { totalSends, duplicateRatio: profile.duplicateRatio, outOfOrderRatio: profile.outOfOrderRatio });
  const setupMs = Date.now() - setupStart;
  log(`setup done in ${(setupMs / 1000).toFixed(1)} s; sending`);

  // Faults on a timeline of their own, at fixed fractions of the sending window.
  const faults: FaultEvent[] = [];
  let outage: { from: number; to: number } | null = null;
  const T = profile.durationS * 1000;
  const t0 = Date.now();
  const stopMonitor = startStormMonitor(h, world.merchant.id, t0, log);
  const at = async (fraction: number, what: string, fault: () => Promise<void>) => {
    await sleep(Math.max(0, t0 + fraction * T - Date.now()));
    const start = Date.now();
    await fault();
    faults.push({ atMs: start - t0, what, tookMs: Date.now() - start });
    log(`  fault at ${((start - t0) / 1000).toFixed(1)} s: ${what} (${Date.now() - start} ms)`);
  };
  const faultRun = Promise.all([
    at(0.15, 'SIGKILL payment-intent-worker, restarted after 1 s', () => h.kill('payment-intent-worker', 1000)),
    at(0.3, 'Redis SIGKILLed and restarted empty', () => h.redis.restart()),
    at(0.45, `PostgreSQL stopped for ${profile.pgOutageMs / 1000} s`, async () => {
      const from = Date.now();
      await h.postgres.stop();
      await sleep(profile.pgOutageMs);
      await h.postgres.start();
      outage = { from, to: Date.now() };
    }),
    at(0.8, 'SIGKILL conversion-ledger-worker, restarted after 1 s', () => h.kill('conversion-ledger-worker', 1000)),
  ]);

  const url = `${h.gatewayUrl}/webhooks/test/${world.merchant.id}`;
  const driven = drive(plan.sends, { url, secret: world.merchant.webhookSecret, ratePerSecond: profile.ratePerSecond });
  await faultRun;
  const lastFaultAt = Date.now();
  const { outcomes, startedAt, lastSentAt, loopDelayP99Ms, loopDelayMaxMs } = await driven;
  const sendMs = lastSentAt - startedAt;
  const allAckedAt = Math.max(...outcomes.map((o) => o.ackedAt ?? 0));
  log(`sent in ${(sendMs / 1000).toFixed(1)} s; last ack ${((allAckedAt - startedAt) / 1000).toFixed(1)} s after start; draining`);

  const acked = outcomes.filter((o) => o.ackedAt !== null);
  const ackedIds = new Set(acked.map((o) => o.send.event.eventId));
  const drainFrom = Math.max(lastFaultAt, allAckedAt);
  let state = await readStormState(h.postgres, world, plan, ackedIds);
  while (!settled(state) && Date.now() - drainFrom < profile.drainTimeoutMs) {
    await sleep(500);
    state = await readStormState(h.postgres, world, plan, ackedIds);
  }
  const drainMs = settled(state) ? Date.now() - lastFaultAt : null;
  stopMonitor();
  const ledger = await ledgerCheck(world.admin);
  const missingConversionsExplained = await explainMissingConversions(h, state.missingConversions);

  // Where the slow acknowledgements were: the slowest per second of sending.
  const perSecond = new Map<number, number>();
  for (const o of acked) {
    const sec = Math.floor((o.ackedAt! - o.ackMs! - startedAt) / 1000);
    perSecond.set(sec, Math.max(perSecond.get(sec) ?? 0, o.ackMs!));
  }
  log(`slowest ack per second of sending (ms): ${[...perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${Math.round(v)}`).join(' ')}`);
  const failedAttempts: Record<string, number> = {};
  for (const o of outcomes) for (const f of o.failures) failedAttempts[f] = (failedAttempts[f] ?? 0) + 1;
  const ackTimes = acked.map((o) => o.ackMs!);
  const o2 = outage as { from: number; to: number } | null;
  const outsideOutage = (o: SendOutcome) => !o2 || o.ackedAt! < o2.from || o.ackedAt! - o.ackMs! > o2.to;
  return {
    profile,
    intents: world.intents.length,
    uniqueEvents: plan.events.length,
    sent: plan.sends.length,
    duplicatesSent: plan.sends.filter((s) => s.duplicate).length,
    outOfOrderSent: plan.sends.filter((s) => s.outOfOrder).length,
    acknowledged: acked.length,
    ackedAsDuplicate: acked.filter((o) => o.ackStatus === 'duplicate').length,
    refused: outcomes.flatMap((o) => (o.refused ? [o.refused] : [])),
    unacknowledged: outcomes.length - acked.length,
    retriedSends: outcomes.filter((o) => o.attempts > 1).length,
    attempts: outcomes.reduce((n, o) => n + o.attempts, 0),
    failedAttempts,
    shedAttempts: failedAttempts[SHED_FAILURE] ?? 0,
    processed: state.eventsProcessed,
    expectedConversions: plan.fates.filter((f) => f !== 'cancel').length,
    lostEvents: state.eventsNotStored.length + state.eventsUnprocessed,
    lostConversions: state.missingConversions.length,
    missingConversionsExplained,
    duplicatedConversions: state.duplicatedConversions,
    duplicatedPostings: state.duplicatedPostings,
    wrongIntents: state.wrongIntents,
    wrongConversions: state.wrongConversions,
    ackP50Ms: percentile(ackTimes, 50),
    ackP99Ms: percentile(ackTimes, 99),
    ackMaxMs: percentile(ackTimes, 100),
    ackP99OutsideOutageMs: percentile(acked.filter(outsideOutage).map((o) => o.ackMs!), 99),
    driverLoopDelayP99Ms: loopDelayP99Ms,
    driverLoopDelayMaxMs: loopDelayMaxMs,
    drainMs,
    ledger,
    faults,
    crashes: h.crashes(),
    setupMs,
    sendMs,
  };
}

export function formatReport(r: StormReport): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return [
    `sent ${r.sent} webhooks (${r.uniqueEvents} distinct events for ${r.intents} payment intents; ${r.duplicatesSent} duplicates, ${r.outOfOrderSent} out of order) at ${r.profile.ratePerSecond}/s over ${(r.sendMs / 1000).toFixed(1)} s`,
    `acknowledged ${r.acknowledged} (${r.ackedAsDuplicate} as duplicates); refused ${r.refused.length}; never acknowledged ${r.unacknowledged}; sends retried ${r.retriedSends}; attempts ${r.attempts}, of which shed ${r.shedAttempts} (failed attempts: ${JSON.stringify(r.failedAttempts)})`,
    `processed ${r.processed} distinct events; conversions expected ${r.expectedConversions}`,
    `lost events ${r.lostEvents}; lost conversions ${r.lostConversions}; duplicated conversions ${r.duplicatedConversions}; duplicated postings ${r.duplicatedPostings}; intents in a wrong final state ${r.wrongIntents.length}; conversions in a wrong state ${r.wrongConversions.length}`,
    `ack p50 ${ms(r.ackP50Ms)}, p99 ${ms(r.ackP99Ms)} (outside the PostgreSQL outage ${ms(r.ackP99OutsideOutageMs)}), max ${ms(r.ackMaxMs)}`,
    `sender's event-loop delay while sending: p99 ${ms(r.driverLoopDelayP99Ms)}, max ${ms(r.driverLoopDelayMaxMs)}`,
    `drain time after the last fault: ${r.drainMs === null ? `not drained within ${r.profile.drainTimeoutMs / 1000} s` : `${(r.drainMs / 1000).toFixed(1)} s`}`,
    `ledger balanced: ${r.ledger.balanced}`,
    `faults: ${r.faults.map((f) => `${(f.atMs / 1000).toFixed(1)} s ${f.what}`).join('; ')}`,
    `unexpected process exits (restarted as a supervisor would): ${r.crashes.length ? r.crashes.map((c) => `${c.process} (${c.code ?? c.signal}${c.duringStart ? ', while starting' : ''})`).join(', ') : 'none'}`,
    ...(r.missingConversionsExplained ? [r.missingConversionsExplained] : []),
    ...r.crashes.map((c) => `--- ${c.process} exited ${c.code ?? c.signal}; its last output:\n${c.tail.slice(-3000)}`),
  ].join('\n');
}
