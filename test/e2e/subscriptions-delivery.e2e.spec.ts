// Subscriptions across replicas and faults (issue 6): a revoked key's sockets close (4403) and
// its HTTP cache entry goes at once; the per-key limit counts on every replica and a crashed
// replica's places lapse; conversion cursors follow commit order (two concurrent transactions),
// and a conversion event a replica never heard is read back from the ledger, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Client } from 'graphql-ws';
import type { DataSource } from 'typeorm';
import { emitConversionUpdated } from '../../subgraphs/conversion-ledger/src/conversion/conversion.events.js';
import { GqlClient } from '../support/client.js';
import { collect, createSession, setUpWorld, settle, startReplica, wsClient, type World } from '../support/subscriptions.js';

const WATCH = `subscription { paymentIntentUpdated { id status } }`;
const PORTAL = `subscription Portal($after: String) { conversionUpdated(after: $after) { id orderReference } }`;
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const closeCode = (e: unknown) => (e as { code?: number }).code;
const errorOf = (e: unknown) => (e as Array<{ extensions?: { code?: string; reason?: string } }>)[0]?.extensions;

describe('subscriptions across replicas and faults', () => {
  let w: World;
  let replica: Awaited<ReturnType<typeof startReplica>>;
  let redis: Redis;
  let ledgerDb: DataSource;
  const clients: Client[] = [];
  const client = (url: string, key: string) => {
    const c = wsClient(url, key);
    clients.push(c);
    return c;
  };
  const limits = { WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', WS_MAX_SUBSCRIPTIONS_PER_KEY: '3', API_KEY_CACHE_TTL_MS: '60000' };
  const newKey = async (merchantId: string) => {
    const { createApiKey } = await w.admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`, {
      input: { role: 'MERCHANT', merchantId },
    });
    return { key: createApiKey.key as string, id: createApiKey.apiKey.id as string };
  };
  const report = (ref: string) =>
    w.merchantA.http.ok(REPORT, { input: { sessionId: w.agent.sessionId, orderReference: ref, transactionValue: { amountMinor: 1500, currency: 'GBP' } } });

  beforeAll(async () => {
    w = await setUpWorld(limits);
    replica = await startReplica(w.handoff, limits);
    redis = new Redis(w.handoff.env.REDIS_URL!);
    ledgerDb = w.handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    redis?.disconnect();
    await replica?.server.close();
    await replica?.gateway.close();
    await w?.handoff.stop();
  });

  it("revoking a key closes its sockets on every replica with 4403, and its HTTP requests fail at once despite the key cache", async () => {
    const { key, id } = await newKey(w.merchantA.id);
    const viewer = `{ viewer { role } }`;
    // Both gateways remember the key for a minute (API_KEY_CACHE_TTL_MS).
    expect((await new GqlClient(w.handoff.graphqlUrl, key).ok(viewer)).viewer.role).toBe('MERCHANT');
    expect((await new GqlClient(replica.graphqlUrl, key).ok(viewer)).viewer.role).toBe('MERCHANT');
    const onA = collect(client(w.handoff.graphqlUrl, key), WATCH);
    const onB = collect(client(replica.graphqlUrl, key), WATCH);
    const bystander = collect(client(replica.graphqlUrl, w.merchantA.key), WATCH);
    await settle();

    await w.admin.ok(`mutation($id: ID!) { revokeApiKey(id: $id) }`, { id });
    expect(closeCode(await onA.ended(5000))).toBe(4403);
    expect(closeCode(await onB.ended(5000))).toBe(4403);
    for (const url of [w.handoff.graphqlUrl, replica.graphqlUrl]) {
      expect(await new GqlClient(url, key).errorCode(viewer)).toBe('UNAUTHENTICATED');
    }
    expect(closeCode(await collect(client(replica.graphqlUrl, key), WATCH).ended(5000))).toBe(4403);
    expect(bystander.done).toBe(false);
    bystander.stop();
  });

  it('the per-key limit counts subscriptions on every replica; ending one frees a place anywhere', async () => {
    const { key } = await newKey(w.merchantB.id);
    const first = client(w.handoff.graphqlUrl, key);
    const [a] = [collect(first, WATCH), collect(first, WATCH)];
    const other = client(replica.graphqlUrl, key);
    const c = collect(other, WATCH);
    await settle(300);
    const d = collect(other, WATCH);
    expect(errorOf(await d.ended())).toMatchObject({ code: 'FORBIDDEN', reason: 'subscription_limit:key' });
    expect(c.done).toBe(false);
    a.stop();
    await settle(300);
    const e = collect(other, WATCH);
    await settle(300);
    expect(e.done).toBe(false);
  });

  it("a crashed replica's places lapse: slots nobody renews stop counting", async () => {
    const { key, id } = await newKey(w.merchantB.id);
    // A replica that took all three places and died: its slots were last renewed just now.
    const [sec, micro] = (await redis.time()) as [string | number, string | number];
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const slots = `${w.handoff.env.QUEUE_PREFIX}:ws:slots:key:${id}`;
    const lapse = 4000;
    await redis.zadd(slots, now + lapse, 'dead:1', now + lapse, 'dead:2', now + lapse, 'dead:3');
    const t0 = Date.now();
    const refused = collect(client(replica.graphqlUrl, key), WATCH);
    expect(errorOf(await refused.ended())).toMatchObject({ reason: 'subscription_limit:key' });
    expect(Date.now() - t0).toBeLessThan(lapse); // (else the refusal proved nothing)
    await settle(lapse + 300 - (Date.now() - t0));
    const later = collect(client(w.handoff.graphqlUrl, key), WATCH);
    await settle(300);
    expect(later.done).toBe(false);
    expect(await redis.zcard(slots)).toBe(1);
  });

  it('every payment event carries its cursor, in increasing order', async () => {
    const watch = collect(client(replica.graphqlUrl, w.merchantA.key), WATCH);
    await settle();
    const { intentId } = await createSession(w.merchantA);
    await w.merchantA.http.ok(CONFIRM, { id: intentId, card: '4242424242424242' });
    await watch.waitFor(2);
    const mine = watch.results.filter((r) => r.data?.paymentIntentUpdated.id === intentId);
    expect(mine.map((r) => r.data!.paymentIntentUpdated.status)).toEqual(['REQUIRES_PAYMENT_METHOD', 'SUCCEEDED']);
    for (const r of mine) expect(r.extensions?.cursor).toMatch(/^\d+$/);
    expect(BigInt(mine[1]!.extensions!.cursor!)).toBeGreaterThan(BigInt(mine[0]!.extensions!.cursor!));
    watch.stop();
  });

  it('conversion cursors follow commit order: of two concurrent transactions, the later waits; a resume from either misses nothing', async () => {
    const c1 = (await report('order-concurrent-1')).reportConversion.id as string;
    const c2 = (await report('order-concurrent-2')).reportConversion.id as string;
    const live = collect(client(w.handoff.graphqlUrl, w.merchantA.key), PORTAL);
    await settle();
    const t1 = ledgerDb.createQueryRunner();
    const t2 = ledgerDb.createQueryRunner();
    const commitOrder: string[] = [];
    try {
      await t1.startTransaction();
      await t2.startTransaction();
      await emitConversionUpdated(t1.manager, [c1]);
      let secondEmitted = false;
      const second = emitConversionUpdated(t2.manager, [c2]).then(() => (secondEmitted = true));
      await settle(300);
      if (secondEmitted) {
        // (Without ordering the second could commit first: the out-of-order case.)
        await t2.commitTransaction();
        commitOrder.push(c2);
      }
      expect(secondEmitted).toBe(false); // it waits for the first to commit
      await t1.commitTransaction();
      commitOrder.push(c1);
      await second;
      if (!commitOrder.includes(c2)) {
        await t2.commitTransaction();
        commitOrder.push(c2);
      }
    } finally {
      for (const t of [t1, t2]) {
        if (t.isTransactionActive) await t.rollbackTransaction();
        await t.release();
      }
    }
    const cursorOf = async (id: string) =>
      (await ledgerDb.query(`SELECT max((payload->>'cursor')::bigint)::text AS c FROM ledger.outbox WHERE aggregate_id = $1`, [id]))[0].c as string;
    const [k1, k2] = [await cursorOf(commitOrder[0]!), await cursorOf(commitOrder[1]!)];
    expect(BigInt(k1)).toBeLessThan(BigInt(k2));

    // Live: both, in that order. A portal that saw only the first resumes with the second.
    const delivered = () => live.results.filter((r) => [k1, k2].includes(r.extensions!.cursor!));
    for (let i = 0; i < 150 && delivered().length < 2; i++) await settle(100);
    expect(delivered().map((r) => [r.data!.conversionUpdated.id, r.extensions!.cursor])).toEqual([
      [commitOrder[0], k1],
      [commitOrder[1], k2],
    ]);
    const all = live.results.map((r) => BigInt(r.extensions!.cursor!));
    expect(all.every((c, i) => i === 0 || c > all[i - 1]!)).toBe(true);
    const resumed = collect(client(replica.graphqlUrl, w.merchantA.key), PORTAL, { after: k1 });
    const [event] = await resumed.waitFor(1);
    expect(event!.extensions!.cursor).toBe(k2);
    await settle(300);
    expect(resumed.results).toHaveLength(1);
    live.stop();
    resumed.stop();
  });

  it('a conversion event this replica never heard (Redis away) is read back from the ledger, in order, when a later one arrives', async () => {
    const c1 = (await report('order-unheard-1')).reportConversion.id as string;
    const c2 = (await report('order-unheard-2')).reportConversion.id as string;
    const portal = collect(client(replica.graphqlUrl, w.merchantA.key), PORTAL);
    await settle();
    // Two events committed and marked published, as if announced while this replica was away.
    const rows: Array<{ payload: Record<string, unknown> & { cursor: string } }> = await ledgerDb.transaction(async (m) => {
      await emitConversionUpdated(m, [c1]);
      await emitConversionUpdated(m, [c2]);
      return m.query(
        `WITH u AS (UPDATE ledger.outbox SET published_at = now(), delivered_at = now()
          WHERE topic = 'conversion.updated' AND aggregate_id = ANY($1) AND published_at IS NULL RETURNING payload) SELECT payload FROM u`,
        [[c1, c2]],
      );
    });
    const cursors = rows.map((r) => r.payload.cursor).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(cursors).toHaveLength(2);
    const last = rows.find((r) => r.payload.cursor === cursors[1])!;
    // Only the second is heard (e.g. the first was published while the replica was reconnecting).
    await redis.publish(
      `${w.handoff.env.QUEUE_PREFIX}:events:conversion.updated`,
      JSON.stringify({ outboxId: '0', schema: 'ledger', topic: 'conversion.updated', aggregateId: c2, payload: last.payload, createdAt: new Date().toISOString() }),
    );
    const seen = () => portal.results.filter((r) => cursors.includes(r.extensions!.cursor!));
    for (let i = 0; i < 100 && seen().length < 2; i++) await settle(50);
    expect(seen().map((r) => [r.data!.conversionUpdated.id, r.extensions!.cursor])).toEqual([
      [c1, cursors[0]],
      [c2, cursors[1]],
    ]);
  });
});
