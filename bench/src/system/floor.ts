// `bench:system -- --only floor` (issue 24, item 5): Handoff's agent checkout and webhook
// acknowledgement against the system floor (floor-server.ts: the same durable writes, one process,
// node:http + pg) in the same run, on the same database server, at the same concurrency, with the
// same client. Checkouts alternate Handoff → floor for `rounds` rounds (drift hits both alike);
// the figure is the median of one-second rates of each target's rounds together, and CPU ms per
// operation (Handoff's processes and their PostgreSQL backends; the floor process and its
// backends) beside it. Acknowledgements: the four events of a successful payment for each intent
// the checkouts made, sent by N senders; Handoff's workers are held (SIGSTOP) while its webhooks
// are sent, as the floor processes nothing: both figures are acknowledging alone.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '@handoff/launcher';
import type { FaultHandoff } from '../harness/harness.js';
import { post } from '../harness/http-client.js';
import { ManagedProcess } from '../harness/processes.js';
import { postSignedWebhook, pspEventsFor } from '../harness/psp-webhooks.js';
import type { SharedPostgres, SharedRedis } from '../harness/shared-services.js';
import type { CheckedOutIntent, CommerceWorld } from '../harness/world.js';
import { Accounting, type PhaseCost } from './accounting.js';
import { measureCheckouts } from './checkout.js';
import { FLOOR_SCHEMA_SQL } from './floor-server.js';
import { retried } from './tracing.js';
import { closedLoop, percentile, rateOf, round, sleep, type LoopResult, type Rate } from './measure.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Handoff = FaultHandoff<SharedPostgres, SharedRedis>;
type Timing = { warmupMs: number; durationMs: number };

export interface AckResult {
  sent: number;
  acknowledged: Rate;
  p50Ms: number;
  p99Ms: number;
  failed: Record<string, number>;
  cost: PhaseCost;
}

export interface TargetFigures {
  checkout: { rounds: LoopResult[]; medianPerS: number; meanPerS: number; cost: PhaseCost };
  acks: AckResult;
  /** Rows written per checkout by table (pg_stat_user_tables), ≥ 0.05 per checkout. */
  rowsPerCheckout: Record<string, number>;
}

export interface FloorComparison {
  concurrency: { checkout: number; webhooks: number };
  handoff: TargetFigures;
  floor: TargetFigures;
  ratios: { checkout: number; checkoutCpu: number; ack: number; ackCpu: number };
}

async function tableWrites(db: SharedPostgres): Promise<Map<string, number>> {
  const rows = await db.query<{ t: string; n: string }>(`SELECT schemaname || '.' || relname AS t, (n_tup_ins + n_tup_upd + n_tup_del)::text AS n FROM pg_stat_user_tables`);
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

function perOp(before: Map<string, number>, after: Map<string, number>, ops: number, only: (t: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, n] of after) {
    const per = (n - (before.get(t) ?? 0)) / Math.max(1, ops);
    if (only(t) && per >= 0.05) out[t] = round(per, 2);
  }
  return out;
}

/** The floor process on the bench's database, seeded with its own merchant (the world's webhook secret), offer and agent key. */
async function startFloor(h: Handoff, world: CommerceWorld): Promise<{ proc: ManagedProcess; url: string; world: CommerceWorld }> {
  const port = await freePort();
  const proc: ManagedProcess = new ManagedProcess({
    name: 'floor',
    command: process.execPath,
    args: ['bench/dist/system/floor-server.js'],
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      FLOOR_DATABASE_URL: h.postgres.url,
      FLOOR_PORT: String(port),
      FLOOR_POOL_SIZE: h.env.DB_POOL_SIZE ?? '10',
      AAP_SIGNING_KEY: h.env.AAP_SIGNING_KEY!,
    } as Record<string, string>,
    ready: async (): Promise<boolean> => proc.tail(20).includes('floor listening'),
    readyTimeoutMs: 30_000,
  });
  await proc.start();
  await h.postgres.query(FLOOR_SCHEMA_SQL);
  const merchantId = randomUUID();
  const offerId = randomUUID();
  const agentId = randomUUID();
  const key = `floor_${randomBytes(24).toString('base64url')}`;
  await h.postgres.query(`INSERT INTO floor.merchants (id, webhook_secret) VALUES ($1, $2)`, [merchantId, world.merchant.webhookSecret]);
  await h.postgres.query(`INSERT INTO floor.offers (id, merchant_id, amount_minor, currency) VALUES ($1, $2, 1000, 'GBP')`, [offerId, merchantId]);
  await h.postgres.query(`INSERT INTO floor.api_keys (hash, agent_id) VALUES ($1, $2)`, [createHash('sha256').update(key).digest('hex'), agentId]);
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    world: { merchant: { id: merchantId, key: '', webhookSecret: world.merchant.webhookSecret }, agent: { id: agentId, key }, offerId },
  };
}

/** The floor's agent checkout: the same three client calls, as REST. */
async function floorCheckout(url: string, world: CommerceWorld, idempotencyKey: string): Promise<CheckedOutIntent> {
  const call = async (path: string, body: object) => {
    const res = await post(`${url}${path}`, { 'content-type': 'application/json', authorization: `Bearer ${world.agent.key}` }, JSON.stringify(body), 30_000);
    if (res.status !== 201) throw Object.assign(new Error(`floor ${path} ${res.status}: ${res.text.slice(0, 200)}`), { name: `HTTP ${res.status}` });
    return JSON.parse(res.text);
  };
  const s = (await call('/floor/sessions', { query: 'a SIM plan' })).id as string;
  const r = (await call('/floor/recommendations', { session_id: s, offer_id: world.offerId })).id as string;
  const cs = (await call('/floor/checkouts', { session_id: s, recommendation_id: r, idempotency_key: idempotencyKey })).checkout_session;
  const pi = cs.payment_intent;
  return { id: pi.id, checkoutSessionId: cs.id, providerPaymentId: pi.provider_payment_id, amountMinor: pi.amount.amount_minor, currency: pi.amount.currency, metadata: pi.metadata };
}

/** N senders post the events of `intents` (each intent's four in order) to `url`; timed until the last ack or `maxMs`. */
async function sendAcks(url: string, secret: string, intents: CheckedOutIntent[], concurrency: number, tag: string, maxMs: number): Promise<Omit<AckResult, 'cost'>> {
  const events = intents.flatMap((pi, i) => pspEventsFor(pi, i, 'succeed', tag));
  const acks: number[] = [];
  const ms: number[] = [];
  const failed: Record<string, number> = {};
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length && Date.now() - start < maxMs) {
        const ev = events[next++]!;
        for (let attempt = 0; attempt < 10; attempt++) {
          const r = await postSignedWebhook(url, secret, ev.body, 10_000);
          if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
            acks.push(Date.now());
            ms.push(r.ms);
            break;
          }
          failed[String(r.status)] = (failed[String(r.status)] ?? 0) + 1;
          await sleep(100 * (attempt + 1));
        }
      }
    }),
  );
  const last = acks.length ? Math.max(...acks) : start;
  return { sent: acks.length, acknowledged: rateOf(acks, start, last + 1), p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)), failed };
}

/**
 * A target's own CPU: Accounting counts every backend of the database, and both targets share it;
 * the floor's is its process and its own connections (application_name handoff-floor), Handoff's
 * everything else.
 */
function own(target: 'handoff' | 'floor', cost: PhaseCost): PhaseCost {
  const perOp = cost.perOp;
  if (!perOp) return cost;
  const pick = Object.entries(cost.cpuS).filter(([n]) =>
    target === 'floor' ? n === 'floor' || n === 'pg:floor' : n !== 'bench client' && n !== 'postgres backends' && n !== 'pg:floor',
  );
  const totalCpuS = round(pick.reduce((a, [, v]) => a + v, 0), 2);
  const totalCpuMs = round((totalCpuS * 1000) / perOp.ops, 1);
  return { ...cost, totalCpuS, perOp: { ...perOp, totalCpuMs, cpuBoundMaxPerS: round(2000 / totalCpuMs, 1) } };
}

export async function measureFloorComparison(
  h: Handoff,
  world: CommerceWorld,
  opts: { checkoutConcurrency: number; webhookConcurrency: number; rounds: number; checkout: Timing; maxAckMs: number },
  log: (line: string) => void,
): Promise<FloorComparison> {
  const floor = await startFloor(h, world);
  try {
    const handoffPids = () => [...h.processes.entries()].map(([n, p]) => [n, p.pid] as [string, number | undefined]);
    const acctHandoff = new Accounting(h.postgres, handoffPids);
    const acctFloor = new Accounting(h.postgres, () => [['floor', floor.proc.pid]]);
    const intents = { handoff: [] as CheckedOutIntent[], floor: [] as CheckedOutIntent[] };
    const rounds = { handoff: [] as LoopResult[], floor: [] as LoopResult[] };
    const costs: { handoff: PhaseCost[]; floor: PhaseCost[] } = { handoff: [], floor: [] };
    const rows = { handoff: [] as Array<Record<string, number>>, floor: [] as Array<Record<string, number>> };
    const c = opts.checkoutConcurrency;
    for (let round_ = 0; round_ < opts.rounds; round_++) {
      // Alternating who goes first, so each round's leftovers (Handoff's workers drain its outbox) fall on both.
      for (const target of round_ % 2 === 0 ? (['handoff', 'floor'] as const) : (['floor', 'handoff'] as const)) {
        const acct = target === 'handoff' ? acctHandoff : acctFloor;
        const before = intents[target].length;
        const tables = await retried(() => tableWrites(h.postgres));
        const t = await retried(() => acct.snapshot());
        const r =
          target === 'handoff'
            ? await measureCheckouts(h.graphqlUrl, world, c, opts.checkout, intents.handoff)
            : await closedLoop(c, opts.checkout, async (w, seq) => {
                intents.floor.push(await floorCheckout(floor.url, floor.world, `floor-${round_}-${w}-${seq}`));
              });
        const ops = intents[target].length - before;
        costs[target].push(own(target, await retried(() => acct.since(t, ops))));
        rows[target].push(perOp(tables, await retried(() => tableWrites(h.postgres)), ops, (tb) => (target === 'floor' ? tb.startsWith('floor.') : !tb.startsWith('floor.') && !tb.startsWith('public.'))));
        rounds[target].push(r);
        log(`  ${target} checkouts round ${round_ + 1}: ${r.rate.median}/s (mean ${r.rate.mean}), p50 ${r.latencyP50Ms} ms, errors ${JSON.stringify(r.errors)}; CPU ms/checkout ${costs[target].at(-1)!.perOp?.totalCpuMs}`);
        await sleep(1000);
      }
    }

    // Acknowledging alone: Handoff's workers held while its webhooks are sent (the floor processes nothing).
    const workers = [...h.processes.entries()].filter(([n]) => n.endsWith('-worker')).map(([, p]) => p.pid);
    const signal = (s: 'SIGSTOP' | 'SIGCONT') => workers.forEach((pid) => pid && process.kill(pid, s));
    const acks = {} as Record<'handoff' | 'floor', AckResult>;
    // The same number of intents (4 events each) for both.
    const n = Math.min(intents.handoff.length, intents.floor.length);
    // The floor first: Handoff's workers, resumed after its acks, would drain their inbox during the floor's.
    for (const target of ['floor', 'handoff'] as const) {
      const acct = target === 'handoff' ? acctHandoff : acctFloor;
      const t = await retried(() => acct.snapshot());
      if (target === 'handoff') signal('SIGSTOP');
      try {
        const url = target === 'handoff' ? `${h.gatewayUrl}/webhooks/test/${world.merchant.id}` : `${floor.url}/floor/webhooks/${floor.world.merchant.id}`;
        const r = await sendAcks(url, world.merchant.webhookSecret, intents[target].slice(0, n), opts.webhookConcurrency, `ack${target}`, opts.maxAckMs);
        acks[target] = { ...r, cost: own(target, await retried(() => acct.since(t, r.sent))) };
      } finally {
        if (target === 'handoff') signal('SIGCONT');
      }
      log(`  ${target} webhook acks: ${acks[target].acknowledged.median}/s (mean ${acks[target].acknowledged.mean}; ${acks[target].sent} sent), p50 ${acks[target].p50Ms} ms; CPU ms/ack ${acks[target].cost.perOp?.totalCpuMs}`);
    }

    const figures = (target: 'handoff' | 'floor'): TargetFigures => {
      const all = rounds[target];
      const mean = round(all.reduce((a, r) => a + r.rate.mean, 0) / all.length);
      const ops = costs[target].reduce((a, k) => a + (k.perOp?.ops ?? 0), 0);
      const cpu = costs[target].reduce((a, k) => a + k.totalCpuS, 0);
      const merged: PhaseCost = { ...costs[target].at(-1)!, totalCpuS: round(cpu, 2), perOp: { ...costs[target].at(-1)!.perOp!, ops, totalCpuMs: round((cpu * 1000) / Math.max(1, ops), 1) } };
      return {
        checkout: { rounds: all, medianPerS: round(percentile(all.map((r) => r.rate.median), 50)), meanPerS: mean, cost: merged },
        acks: acks[target],
        rowsPerCheckout: rows[target].at(-1)!,
      };
    };
    const handoff = figures('handoff');
    const fl = figures('floor');
    const ratio = (a: number, b: number) => round(a / b, 2);
    return {
      concurrency: { checkout: c, webhooks: opts.webhookConcurrency },
      handoff,
      floor: fl,
      ratios: {
        checkout: ratio(handoff.checkout.meanPerS, fl.checkout.meanPerS),
        checkoutCpu: ratio(fl.checkout.cost.perOp!.totalCpuMs, handoff.checkout.cost.perOp!.totalCpuMs),
        ack: ratio(handoff.acks.acknowledged.mean, fl.acks.acknowledged.mean),
        ackCpu: ratio(fl.acks.cost.perOp!.totalCpuMs, handoff.acks.cost.perOp!.totalCpuMs),
      },
    };
  } finally {
    await floor.proc.stop('SIGKILL');
  }
}

export function floorTable(f: FloorComparison): string {
  const row = (what: string, h: string, fl: string, ratio: number, target: string) => `| ${what} | ${h} | ${fl} | **${ratio}×** | ${target} |`;
  const ck = (t: TargetFigures) => `${t.checkout.meanPerS}/s (median of 1-s rates ${t.checkout.medianPerS}; rounds ${t.checkout.rounds.map((r) => r.rate.mean).join(', ')})`;
  const ak = (t: TargetFigures) => `${t.acks.acknowledged.mean}/s (${t.acks.sent} acks; p50 ${t.acks.p50Ms} ms, p99 ${t.acks.p99Ms} ms)`;
  return [
    `| figure | Handoff | floor | Handoff / floor | target |`,
    `|---|---|---|---|---|`,
    row(`agent checkouts/s at ${f.concurrency.checkout}`, ck(f.handoff), ck(f.floor), f.ratios.checkout, '≥ 0.35×'),
    row('CPU ms per checkout (processes + their PostgreSQL backends; ratio = floor / Handoff)', String(f.handoff.checkout.cost.perOp!.totalCpuMs), String(f.floor.checkout.cost.perOp!.totalCpuMs), f.ratios.checkoutCpu, '—'),
    row(`webhook acks/s at ${f.concurrency.webhooks} (Handoff's workers held)`, ak(f.handoff), ak(f.floor), f.ratios.ack, '≥ 0.5×'),
    row('CPU ms per ack (ratio = floor / Handoff)', String(f.handoff.acks.cost.perOp!.totalCpuMs), String(f.floor.acks.cost.perOp!.totalCpuMs), f.ratios.ackCpu, '—'),
    '',
    `Rows written per checkout (last round): Handoff ${JSON.stringify(f.handoff.rowsPerCheckout)}; floor ${JSON.stringify(f.floor.rowsPerCheckout)}.`,
    `CPU ms per checkout by process (last round): Handoff ${JSON.stringify(f.handoff.checkout.cost.perOp!.cpuMs)}; floor ${JSON.stringify(f.floor.checkout.cost.perOp!.cpuMs)}.`,
    `CPU ms per ack by process: Handoff ${JSON.stringify(f.handoff.acks.cost.perOp!.cpuMs)}; floor ${JSON.stringify(f.floor.acks.cost.perOp!.cpuMs)}.`,
  ].join('\n');
}
