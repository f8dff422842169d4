// Outbound webhooks (issue 19): events committed to the merchant schema's outbox, each delivered
// by the merchant worker to a receiver on loopback (one endpoint taking every event, signatures
// checked), as bench/src/harness/outbound-webhooks.ts commits and receives them. Two runs:
//   burst — N events committed back to back (100 per transaction): deliveries/s the pipeline
//           sustains (median of one-second rates from the first commit to the last receipt);
//   paced — R events/s committed (a transaction every 20 ms) for S seconds: delivery lag, from
//           the event's COMMIT returning to the receiver's receipt, p50 and p99, at that rate.
// CPU per delivery: the phase's CPU seconds (Handoff processes and PostgreSQL backends) over the
// deliveries made (accounting.ts).
import type { FaultHandoff } from '../harness/harness.js';
import { merchantWithEndpoint, startOutboundReceiver, WebhookEventProducer, type OutboundReceiver } from '../harness/outbound-webhooks.js';
import type { SharedPostgres, SharedRedis } from '../harness/shared-services.js';
import type { Accounting, PhaseCost } from './accounting.js';
import { load, percentile, rateOf, round, sleep, type Rate } from './measure.js';

export interface OutboundRun {
  events: number;
  /** Committed/s asked for (paced), or null (burst: as fast as the producer commits). */
  targetRate: number | null;
  deliveries: Rate;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Calls beyond one per event (retries and redeliveries: 0 when the receiver always answers 200). */
  extraCalls: number;
  badSignatures: number;
  cost: PhaseCost;
  load: number[];
}

export interface OutboundResult {
  burst: OutboundRun;
  paced: OutboundRun;
}

const BATCH = 100;
const PACE_MS = 20;

export async function measureOutboundWebhooks(
  h: FaultHandoff<SharedPostgres, SharedRedis>,
  opts: { burstEvents: number; pacedRate: number; pacedSeconds: number },
  acct: Accounting,
  log: (line: string) => void,
): Promise<OutboundResult> {
  const receiver = await startOutboundReceiver();
  const producer = await new WebhookEventProducer(h.postgres.url, h.redis.url, h.env.QUEUE_PREFIX!).open();
  try {
    const shop = await merchantWithEndpoint(h.graphqlUrl, h.adminKey, 'Outbound webhooks bench', `${receiver.origin}/hooks`);
    receiver.setSecret(shop.secret);
    // Warm-up: connections, caches, JIT.
    const warm = await producer.commit(shop.merchantId, 200);
    await allReceived(receiver, warm.eventIds, 120_000);
    log(`  outbound webhooks: warm-up of 200 delivered`);

    const burst = await run(receiver, acct, null, async (commit) => {
      for (let sent = 0; sent < opts.burstEvents; sent += BATCH) await commit(Math.min(BATCH, opts.burstEvents - sent));
    }, (n) => producer.commit(shop.merchantId, n));
    log(`  burst of ${burst.events}: ${burst.deliveries.median} deliveries/s (mean ${burst.deliveries.mean}), lag p50 ${burst.lagP50Ms} ms p99 ${burst.lagP99Ms} ms, ${burst.cost.perOp?.totalCpuMs} CPU ms per delivery`);
    await sleep(2000);

    const perTick = Math.max(1, Math.round((opts.pacedRate * PACE_MS) / 1000));
    const ticks = Math.round((opts.pacedSeconds * 1000) / PACE_MS);
    const paced = await run(receiver, acct, opts.pacedRate, async (commit) => {
      // Open loop: tick k commits at start + k·20 ms whatever the previous ones are doing.
      const start = Date.now();
      const inFlight: Promise<unknown>[] = [];
      for (let k = 0; k < ticks; k++) {
        const wait = start + k * PACE_MS - Date.now();
        if (wait > 0) await sleep(wait);
        inFlight.push(commit(perTick));
      }
      await Promise.all(inFlight);
    }, (n) => producer.commit(shop.merchantId, n));
    log(`  paced at ${opts.pacedRate}/s for ${opts.pacedSeconds} s: ${paced.deliveries.median} deliveries/s, lag p50 ${paced.lagP50Ms} ms p99 ${paced.lagP99Ms} ms max ${paced.lagMaxMs} ms, ${paced.cost.perOp?.totalCpuMs} CPU ms per delivery`);
    return { burst, paced };
  } finally {
    await producer.close();
    await receiver.close();
  }
}

async function run(
  receiver: OutboundReceiver,
  acct: Accounting,
  targetRate: number | null,
  drive: (commit: (n: number) => Promise<void>) => Promise<void>,
  commitEvents: (n: number) => Promise<{ eventIds: string[]; committedAt: number }>,
): Promise<OutboundRun> {
  const committed = new Map<string, number>();
  const callsBefore = receiver.calls;
  const badBefore = receiver.badSignatures;
  const snapshot = await acct.snapshot();
  const start = Date.now();
  await drive(async (n) => {
    const c = await commitEvents(n);
    for (const id of c.eventIds) committed.set(id, c.committedAt);
  });
  const ids = [...committed.keys()];
  await allReceived(receiver, ids, 300_000);
  const received = ids.map((id) => receiver.acknowledged.get(id)!);
  const lags = ids.map((id) => receiver.acknowledged.get(id)! - committed.get(id)!);
  const last = Math.max(...received);
  const cost = await acct.since(snapshot, ids.length);
  return {
    events: ids.length,
    targetRate,
    deliveries: rateOf(received, start, last + 1),
    lagP50Ms: round(percentile(lags, 50), 0),
    lagP99Ms: round(percentile(lags, 99), 0),
    lagMaxMs: Math.max(...lags),
    extraCalls: receiver.calls - callsBefore - ids.length,
    badSignatures: receiver.badSignatures - badBefore,
    cost,
    load: load(),
  };
}

/** Waits (polling the receiver's own record) until every id was acknowledged; throws after `timeoutMs`. */
async function allReceived(receiver: OutboundReceiver, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = ids.filter((id) => !receiver.acknowledged.has(id)).length;
    if (missing === 0) return;
    if (Date.now() > deadline) throw new Error(`${missing} of ${ids.length} outbound webhooks not delivered after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function outboundTable(r: OutboundResult): string {
  const row = (name: string, x: OutboundRun) =>
    `| ${name} | ${x.events} | ${x.targetRate ?? '—'} | ${x.deliveries.median} (${x.deliveries.mean}) | ${x.lagP50Ms} | ${x.lagP99Ms} | ${x.lagMaxMs} | ${x.cost.perOp?.totalCpuMs ?? '—'} | ${x.extraCalls} | ${x.badSignatures} | ${x.load.join(' ')} |`;
  const cpu = (x: OutboundRun) =>
    Object.entries(x.cost.perOp?.cpuMs ?? {})
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') + `; ${x.cost.perOp?.commits} commits and ${x.cost.perOp?.rowsWritten} rows written per delivery`;
  return [
    '| run | events | committed/s | deliveries/s median (mean) | lag p50 ms | lag p99 ms | lag max ms | CPU ms/delivery | extra calls | bad signatures | load after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row('burst', r.burst),
    row('paced', r.paced),
    '',
    `CPU ms per delivery by process — burst: ${cpu(r.burst)}; paced: ${cpu(r.paced)}.`,
  ].join('\n');
}
