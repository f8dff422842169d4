// Handoff on a Redis Cluster (3 masters, 3 replicas, started here: bench/src/harness/private-redis-cluster.ts):
// every process with REDIS_URL=redis+cluster://…, so queues, pub/sub, caches, idempotency keys and
// subscription slots all go through ioredis Cluster clients and the run's hash-tagged prefix. A
// burst of signed PSP webhooks (the storm's plan, duplicates and out-of-order included) while the
// master serving the queues' slot is SIGKILLed and its replica takes over: afterwards every
// acknowledged webhook has produced its conversion exactly once, and a merchant's GraphQL
// subscription received every conversion. Then the key layout itself: each queue's keys in one
// slot, no cross-slot command refused anywhere, and Handoff's multi-key calls refused by the
// cluster without the hash tag (so the tag is what makes them work).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@handoff/shared/logging/logger';
import { createRedis, type RedisClient } from '@handoff/shared/queue/redis';
import { readWorkerBeats, WorkerHeartbeat } from '@handoff/shared/queue/worker-heartbeat';
import { KeySlots } from '../../gateway/src/subscriptions/key-slots.js';
import { startClusterHandoff, type FaultHandoff } from '../../bench/src/harness/harness.js';
import type { PrivateRedisCluster } from '../../bench/src/harness/private-redis-cluster.js';
import type { SharedPostgres } from '../../bench/src/harness/shared-services.js';
import { sleep, until } from '../../bench/src/harness/processes.js';
import { readStormState, settled, ledgerCheck } from './storm-check.js';
import { drive } from './storm-driver.js';
import { planStorm, intentsFor } from './storm-plan.js';
import { setUpStormWorld } from './storm-world.js';
import { explainMissingConversions } from './storm-diagnosis.js';

const SENDS = 160;
const RATE_PER_SECOND = 40;
/** The master is killed this far into the burst. */
const KILL_AFTER_MS = 1500;
const DRAIN_TIMEOUT_MS = 90_000;

describe('Handoff on a Redis Cluster: a master fails over during a webhook burst', () => {
  let h: FaultHandoff<SharedPostgres, PrivateRedisCluster>;
  let prefix: string;
  const log = createLogger('redis-cluster-test', 'silent');

  beforeAll(async () => {
    h = await startClusterHandoff({ databasePrefix: 'handoff_cluster' });
    prefix = `{${h.env.QUEUE_PREFIX}}`;
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('loses nothing and doubles nothing; the subscription hears every conversion', async () => {
    const world = await setUpStormWorld(h.graphqlUrl, h.adminKey, intentsFor(SENDS, 0.1));
    const plan = planStorm(world.intents, { totalSends: SENDS, duplicateRatio: 0.1, outOfOrderRatio: 0.05 });

    // A merchant's subscriptions, through the gateway's Redis Cluster pub/sub.
    const ws: Client = createClient({
      url: h.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${world.merchant.key}` },
      retryAttempts: 0,
    });
    const conversions: Array<{ id: string; status: string; at: number }> = [];
    const intents: Array<{ id: string; at: number }> = [];
    const errors: unknown[] = [];
    const stops = [
      ws.subscribe<{ conversionUpdated: { id: string; status: string } }>(
        // From the start of the ledger's feed: no gap however long subscribing takes.
        { query: 'subscription { conversionUpdated(after: "0") { id status } }' },
        { next: (r) => r.data && conversions.push({ ...r.data.conversionUpdated, at: Date.now() }), error: (e) => errors.push(e), complete: () => undefined },
      ),
      ws.subscribe<{ paymentIntentUpdated: { id: string } }>(
        { query: 'subscription { paymentIntentUpdated { id status } }' },
        { next: (r) => r.data && intents.push({ id: r.data.paymentIntentUpdated.id, at: Date.now() }), error: (e) => errors.push(e), complete: () => undefined },
      ),
    ];
    try {
      const queueSlot = await h.redis.slotOf(prefix);
      const driven = drive(plan.sends, { url: `${h.gatewayUrl}/webhooks/test/${world.merchant.id}`, secret: world.merchant.webhookSecret, ratePerSecond: RATE_PER_SECOND });
      await sleep(KILL_AFTER_MS);
      const killedAt = Date.now();
      const failover = await h.redis.killMasterOf(queueSlot);
      const failedOverAt = Date.now();
      const { outcomes } = await driven;
      // Webhooks were sent while the queues' master was down, not only before and after.
      const sentDuringFailover = outcomes.filter((o) => o.ackedAt !== null && o.ackedAt - o.ackMs! >= killedAt && o.ackedAt - o.ackMs! <= failedOverAt);
      console.log(
        `master :${failover.killedPort} (serving the queues' slot ${queueSlot}) SIGKILLed; :${failover.promotedPort} took over in ${failover.tookMs} ms; ` +
          `${sentDuringFailover.length} webhooks sent meanwhile (slowest ack ${Math.round(Math.max(0, ...sentDuringFailover.map((o) => o.ackMs!)))} ms)`,
      );
      expect(sentDuringFailover.length).toBeGreaterThan(20);

      const acked = outcomes.filter((o) => o.ackedAt !== null);
      expect(outcomes.flatMap((o) => (o.refused ? [o.refused] : []))).toEqual([]);
      expect(acked.length).toBe(plan.sends.length);
      const ackedIds = new Set(acked.map((o) => o.send.event.eventId));

      let state = await readStormState(h.postgres, world, plan, ackedIds);
      const drainFrom = Date.now();
      while (!settled(state) && Date.now() - drainFrom < DRAIN_TIMEOUT_MS) {
        await sleep(500);
        state = await readStormState(h.postgres, world, plan, ackedIds);
      }
      console.log(`${settled(state) ? 'settled' : 'NOT settled'} ${((Date.now() - drainFrom) / 1000).toFixed(1)} s after the burst`);
      if (!settled(state)) {
        for (const c of h.crashes()) console.log(`--- ${c.process} exited (${c.code ?? c.signal}); its last output:\n${c.tail}`);
        for (const [name, p] of h.processes) if (name.endsWith('-worker')) console.log(`--- ${name}'s last output:\n${p.tail(40).slice(-6000)}`);
        const diag = createRedis(h.redis.url);
        const ledgerQueue = new Queue('ledger-payment-events', { connection: diag, prefix });
        console.log(`ledger-payment-events: ${JSON.stringify(await ledgerQueue.getJobCounts())}; workers ${JSON.stringify(await ledgerQueue.getWorkersCount().catch((e: Error) => e.message))}`);
        await ledgerQueue.close();
        diag.disconnect();
      }
      if (!settled(state)) console.log(`not settled ${DRAIN_TIMEOUT_MS / 1000} s after the burst:\n${await explainMissingConversions(h, state.missingConversions)}`);
      expect(state.eventsNotStored).toEqual([]);
      expect(state.eventsUnprocessed).toBe(0);
      expect(state.missingConversions).toEqual([]);
      expect(state.wrongIntents).toEqual([]);
      expect(state.wrongConversions).toEqual([]);
      expect(state.duplicatedConversions).toBe(0);
      expect(state.duplicatedPostings).toBe(0);
      expect(state.conversions).toBe(plan.fates.filter((f) => f !== 'cancel').length);
      expect(await ledgerCheck(world.admin)).toMatchObject({ balanced: true });

      // Every conversion reached the subscriber (conversions are replayed from the ledger after
      // a gap, so none may be missing), and payment updates flow again after the failover.
      const rows = await h.postgres.query<{ id: string }>(`SELECT id FROM ledger.conversions WHERE merchant_id = $1`, [world.merchant.id]);
      await until(() => rows.every((r) => conversions.some((c) => c.id === r.id)), 30_000, 'every conversion on the subscription').catch(() => undefined);
      expect(rows.filter((r) => !conversions.some((c) => c.id === r.id)).map((r) => r.id)).toEqual([]);
      expect(conversions.some((c) => c.at > failedOverAt)).toBe(true);
      expect(intents.some((i) => i.at > failedOverAt)).toBe(true);
      expect(errors).toEqual([]);

      const topology = await h.redis.topology();
      expect(topology.find((n) => n.port === failover.promotedPort)?.role).toBe('master');
      expect(h.crashes().map((c) => `${c.process}: ${c.tail}`)).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      await ws.dispose();
    }
  }, 240_000);

  it('keeps each queue in one slot: no process met a cross-slot refusal, and the hash tag is what avoids them', async () => {
    // Every queue the packages' workers registered: all its keys on one slot, the prefix's.
    const redis = createRedis(h.redis.url);
    try {
      const registry = await redis.hgetall(`${prefix}:ops:queues`);
      expect(Object.keys(registry).length).toBeGreaterThan(5);
      const prefixSlot = await h.redis.slotOf(prefix);
      const masters = (await h.redis.topology()).filter((n) => n.role === 'master' && !n.failed);
      const keysByQueue = new Map<string, Set<number>>();
      for (const m of masters) {
        await h.redis.withNode(m.port, async (node) => {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) {
              // The run's keys are under its prefix (ACP's idempotency claims, single keys, may be anywhere).
              if (!key.startsWith('acp:idem:')) expect(key.startsWith(`${prefix}:`), key).toBe(true);
              const queue = Object.keys(registry).find((q) => key.startsWith(`${prefix}:${q}:`));
              if (queue) keysByQueue.set(queue, (keysByQueue.get(queue) ?? new Set()).add(Number(await node.cluster('KEYSLOT', key))));
            }
          } while (cursor !== '0');
        });
      }
      expect(keysByQueue.get('webhook-ingest')).toBeDefined();
      for (const [queue, slots] of keysByQueue) expect([...slots], queue).toEqual([prefixSlot]);
      // No Lua script or multi-key call of any process was refused by the cluster.
      for (const [name, p] of h.processes) expect(p.tail(200), name).not.toMatch(/CROSSSLOT|non local key|same slot/i);

      // The multi-key calls themselves, on the cluster: with the tagged prefix they run…
      await checkMultiKeyCalls(redis, prefix);
      // …and with the same prefix untagged the cluster refuses them (so the tag is what works).
      const untagged = h.env.QUEUE_PREFIX;
      expect(await h.redis.slotOf(`${untagged}:ops:queues`)).not.toBe(await h.redis.slotOf(`${untagged}:ops:workers:checkout-session`));
      await expect(new WorkerHeartbeat({ redis, prefix: untagged, packageName: 'checkout-session', queues: () => ['q'], logger: log }).beat()).rejects.toThrow(
        /slot|CROSSSLOT/i,
      );
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  async function checkMultiKeyCalls(redis: RedisClient, p: string): Promise<void> {
    // Heartbeat: a MULTI over the package's set and the queue registry; readiness: a pipeline.
    const beat = new WorkerHeartbeat({ redis, prefix: p, packageName: 'cluster-check', queues: () => ['cluster-check-queue'], logger: log });
    await beat.beat();
    const [read] = await readWorkerBeats(redis, p, ['cluster-check', 'merchant']);
    expect(read).toMatchObject({ packageName: 'cluster-check', alive: true });
    await beat.stop();
    // Subscription slots: a Lua script over one key; renewal and release, pipelines over several.
    const slots = new KeySlots({ redis, queuePrefix: p, max: 1, ttlMs: 60_000, logger: log });
    expect(await slots.take('key-a')).not.toBeNull();
    expect(await slots.take('key-b')).not.toBeNull();
    expect(await slots.take('key-a')).toBeNull();
    const lapses = async () => Promise.all(['key-a', 'key-b'].map(async (k) => Number((await redis.zrange(slots.slotsKey(k), 0, 0, 'WITHSCORES'))[1])));
    const before = await lapses();
    await sleep(20);
    await (slots as unknown as { renew(): Promise<void> }).renew();
    const after = await lapses();
    expect(after[0]).toBeGreaterThan(before[0]!);
    expect(after[1]).toBeGreaterThan(before[1]!);
    await slots.close();
    expect(await Promise.all(['key-a', 'key-b'].map((k) => redis.zcard(slots.slotsKey(k))))).toEqual([0, 0]);
    // BullMQ's own scripts (add, addBulk, counts) on a queue under the prefix.
    const queue = new Queue('cluster-check-queue', { connection: redis, prefix: p });
    try {
      await queue.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
      expect(await queue.getWaitingCount()).toBe(2);
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
});
