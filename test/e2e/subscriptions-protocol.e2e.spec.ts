// graphql-ws protocol and limits at the gateway: every close code of the protocol, credentials
// in connection_init, subscriptions per connection and per key, a slow consumer dropped (1013)
// while a subscriber elsewhere gets every event, idle connections pinged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Client } from 'graphql-ws';
import { collect, createSession, rawSocket, setUpWorld, settle, startReplica, wsClient, type World } from '../support/subscriptions.js';

const WATCH = `subscription { paymentIntentUpdated { id status } }`;
const send = (ws: { send(data: string): void }, message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message));
const closeCode = (e: unknown) => (e as { code?: number }).code;
const errorOf = (e: unknown) => (e as Array<{ extensions?: { code?: string; reason?: string } }>)[0]?.extensions;

describe('graphql-ws protocol and limits', () => {
  let w: World;
  let replica: Awaited<ReturnType<typeof startReplica>>;
  const clients: Client[] = [];
  const client = (url: string, key: string | undefined) => {
    const c = wsClient(url, key);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    w = await setUpWorld({
      WS_CONNECTION_INIT_TIMEOUT_MS: '400',
      WS_KEEPALIVE_MS: '300',
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      WS_MAX_SUBSCRIPTIONS_PER_KEY: '3',
      WS_MAX_QUEUED_EVENTS: '3',
    });
    // A replica with the default limits.
    replica = await startReplica(w.handoff, {
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '25',
      WS_MAX_SUBSCRIPTIONS_PER_KEY: '200',
      WS_MAX_QUEUED_EVENTS: '1000',
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    await replica?.server.close();
    await replica?.gateway.close();
    await w?.handoff.stop();
  });

  it('4403: an unknown key, no credentials, or a forged client secret in connection_init', async () => {
    for (const key of ['hk_merchant_0000000000000000000000000000000000', undefined, 'cs_forged_secret_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const sub = collect(client(w.handoff.graphqlUrl, key), WATCH);
      expect(closeCode(await sub.ended())).toBe(4403);
    }
  });

  it('4408: no connection_init in time', async () => {
    const s = rawSocket(w.handoff.graphqlUrl);
    await s.opened;
    expect((await s.closed).code).toBe(4408);
  });

  it('4401: subscribe before the connection is acknowledged', async () => {
    const s = rawSocket(w.handoff.graphqlUrl);
    await s.opened;
    send(s.ws, { id: '1', type: 'subscribe', payload: { query: WATCH } });
    expect((await s.closed).code).toBe(4401);
  });

  const acknowledged = async () => {
    const s = rawSocket(w.handoff.graphqlUrl);
    await s.opened;
    send(s.ws, { type: 'connection_init', payload: { authorization: `Bearer ${w.merchantA.key}` } });
    for (let i = 0; i < 100 && !s.messages.some((m) => m.type === 'connection_ack'); i++) await settle(20);
    expect(s.messages[0]).toEqual({ type: 'connection_ack' });
    return s;
  };

  it('4409: a second subscribe with an id still in use', async () => {
    const s = await acknowledged();
    send(s.ws, { id: 'same', type: 'subscribe', payload: { query: WATCH } });
    await settle(200);
    send(s.ws, { id: 'same', type: 'subscribe', payload: { query: WATCH } });
    expect((await s.closed).code).toBe(4409);
  });

  it('4429: a second connection_init', async () => {
    const s = await acknowledged();
    send(s.ws, { type: 'connection_init', payload: { authorization: `Bearer ${w.merchantA.key}` } });
    expect((await s.closed).code).toBe(4429);
  });

  it('4400: a message that is not graphql-ws', async () => {
    const s = await acknowledged();
    send(s.ws, 'this is not JSON');
    expect((await s.closed).code).toBe(4400);
  });

  it('an idle connection is pinged, and queries run over the socket too', async () => {
    const s = await acknowledged();
    const pinged = new Promise<void>((resolve) => s.ws.once('ping', () => resolve()));
    await pinged;
    send(s.ws, { id: 'q', type: 'subscribe', payload: { query: `{ merchant(id: "${w.merchantA.id}") { name } }` } });
    for (let i = 0; i < 100 && !s.messages.some((m) => m.id === 'q' && m.type === 'complete'); i++) await settle(20);
    expect(s.messages.find((m) => m.id === 'q' && m.type === 'next')?.payload).toEqual({ data: { merchant: { name: 'SMARTY' } } });
    s.ws.close();
  });

  it('subscriptions per connection and per key are limited; ending one frees its place', async () => {
    const first = client(w.handoff.graphqlUrl, w.merchantA.key);
    const [a, b] = [collect(first, WATCH), collect(first, WATCH)];
    const c = collect(first, WATCH);
    expect(errorOf(await c.ended())).toMatchObject({ code: 'FORBIDDEN', reason: 'subscription_limit:connection' });
    const second = client(w.handoff.graphqlUrl, w.merchantA.key);
    const d = collect(second, WATCH);
    const e = collect(second, WATCH);
    expect(errorOf(await e.ended())).toMatchObject({ code: 'FORBIDDEN', reason: 'subscription_limit:key' });
    expect([a.done, b.done, d.done]).toEqual([false, false, false]);
    a.stop();
    await settle(200);
    const f = collect(second, WATCH);
    await settle(300);
    expect(f.done).toBe(false);
    await Promise.all([first.dispose(), second.dispose()]);
  });

  it('a subscriber that cannot keep up is dropped with 1013; a subscriber elsewhere gets every event', async () => {
    const { intentId, sessionId } = await createSession(w.merchantA);
    // The admin key: its own per-key count, whatever the limit test above left to release.
    const slow = collect(client(w.handoff.graphqlUrl, w.handoff.adminKey), WATCH);
    const steady = collect(client(replica.graphqlUrl, w.handoff.adminKey), WATCH);
    await settle();
    // A burst of realistic announcements of the real intent, as the relay publishes them.
    const redis = new Redis(w.handoff.env.REDIS_URL!);
    const prefix = w.handoff.env.QUEUE_PREFIX!;
    const burst = 40;
    try {
      const pipeline = redis.pipeline();
      for (let i = 0; i < burst; i++) {
        const event = {
          outboxId: String(9_000_000 + i),
          schema: 'payment',
          topic: 'payment_intent.requires_payment_method',
          aggregateId: intentId,
          payload: { paymentIntent: { id: intentId, status: 'REQUIRES_PAYMENT_METHOD', merchantId: w.merchantA.id, checkoutSessionId: sessionId } },
          createdAt: new Date().toISOString(),
        };
        pipeline.publish(`${prefix}:events:${event.topic}`, JSON.stringify(event));
      }
      await pipeline.exec();
    } finally {
      redis.disconnect();
    }
    expect(closeCode(await slow.ended())).toBe(1013);
    // (Admin also sees the session's own creation event, whenever the relay delivers it.)
    const fromBurst = () => steady.results.filter((r) => Number(r.extensions!.cursor) >= 9_000_000);
    for (let i = 0; i < 150 && fromBurst().length < burst; i++) await settle(100);
    expect(new Set(fromBurst().map((r) => r.extensions!.cursor)).size).toBe(burst);
    expect(fromBurst()).toHaveLength(burst);
    expect(steady.done).toBe(false);
  });
});
