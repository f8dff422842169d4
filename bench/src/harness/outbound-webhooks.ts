// Outbound webhooks from the outside (issue 19): a merchant's receiver on loopback that checks
// every signature and notes when each event id arrived (and can be told to fail calls: 500s and
// timeouts), and a producer that commits `webhook_event.*` rows to the merchant schema's outbox
// as any producing package does (one INSERT per transaction, then its relay told), with the
// production OutboxRelay running in this process as a producer's would. Used by the
// outbound-webhooks fault test (test/faults) and bench:system's outbound-webhooks phase.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDataSource,
  createLogger,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  OutboxRelay,
  verifySignature,
  WEBHOOK_EVENT_TOPIC_PATTERN,
  webhookEventId,
  webhookEventOutboxEvent,
} from '@handoff/shared';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { gqlRetried } from './world.js';

/** The merchant package's schema (its outbox, its webhook tables). */
export const MERCHANT_SCHEMA = 'merchant';

/** What the receiver does with one call: answer 200, answer 500, or hold it past the sender's timeout. */
export type ReceiverMode = 'ok' | 'error' | 'timeout';

export interface OutboundReceiver {
  origin: string;
  /** Arrival times (ms) of each event id's calls, in order. */
  receipts: Map<string, number[]>;
  /** Calls answered 2xx, by event id (the first such answer's time). */
  acknowledged: Map<string, number>;
  /** Calls whose signature did not verify with the secret in force (or carried no event id). */
  badSignatures: number;
  calls: number;
  setSecret(secret: string): void;
  /** How each next call is answered (`ok` by default). */
  setMode(choose: (eventId: string) => ReceiverMode): void;
  close(): Promise<void>;
}

export async function startOutboundReceiver(opts: { holdMs?: number } = {}): Promise<OutboundReceiver> {
  let secret = '';
  let choose: (eventId: string) => ReceiverMode = () => 'ok';
  const held = new Set<http.ServerResponse>();
  const r: Omit<OutboundReceiver, 'origin' | 'setSecret' | 'setMode' | 'close'> = { receipts: new Map(), acknowledged: new Map(), badSignatures: 0, calls: 0 };
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      r.calls += 1;
      const eventId = String(req.headers['handoff-event-id'] ?? '');
      const check = verifySignature({ payload: Buffer.concat(chunks), header: req.headers['handoff-signature'] as string | undefined, secret });
      if (!check.ok || eventId === '') r.badSignatures += 1;
      const times = r.receipts.get(eventId);
      if (times) times.push(at);
      else r.receipts.set(eventId, [at]);
      const mode = choose(eventId);
      if (mode === 'timeout') {
        // Answered after the sender gave up (the socket is usually gone by then).
        held.add(res);
        setTimeout(() => {
          held.delete(res);
          if (!res.destroyed) res.writeHead(200).end();
        }, opts.holdMs ?? 3000).unref();
        return;
      }
      if (mode === 'error') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"receiver failing"}');
        return;
      }
      if (!r.acknowledged.has(eventId)) r.acknowledged.set(eventId, at);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    origin: `http://127.0.0.1:${port}`,
    setSecret: (s: string) => void (secret = s),
    setMode: (c: (eventId: string) => ReceiverMode) => void (choose = c),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as OutboundReceiver;
}

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`;

/** A merchant (through the gateway, as admin) with one endpoint taking every event at `url`. */
export async function merchantWithEndpoint(graphqlUrl: string, adminKey: string, name: string, url: string): Promise<{ merchantId: string; endpointId: string; secret: string }> {
  const merchantId = (
    await gqlRetried(graphqlUrl, adminKey, CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })
  ).createMerchant.id as string;
  const created = (await gqlRetried(graphqlUrl, adminKey, CREATE_ENDPOINT, { input: { merchantId, url, events: ['*'] } })).createWebhookEndpoint;
  return { merchantId, endpointId: created.endpoint.id as string, secret: created.secret as string };
}

export interface CommittedEvents {
  /** The public event ids, in commit order. */
  eventIds: string[];
  /** When the transaction's COMMIT returned (ms). */
  committedAt: number;
}

/**
 * Commits `payment.succeeded` events of a merchant to the merchant schema's outbox, a batch per
 * transaction, then tells its relay (a producer's own, in this process) as a producer does
 * after a commit. The merchant worker's relay sweeps these rows as any others.
 */
export class WebhookEventProducer {
  private readonly dataSource: DataSource;
  private readonly redis: Redis;
  private readonly relay: OutboxRelay;
  private seq = 0;

  constructor(databaseUrl: string, redisUrl: string, queuePrefix: string) {
    this.dataSource = createDataSource({ url: databaseUrl, schema: MERCHANT_SCHEMA, entities: [], migrations: [], poolSize: 4, applicationName: 'handoff-bench-producer' });
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      schema: MERCHANT_SCHEMA,
      redis: this.redis,
      queuePrefix,
      logger: createLogger('webhook-event-producer', 'warn'),
      routes: { [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE] },
    });
  }

  async open(): Promise<this> {
    await this.dataSource.initialize();
    return this;
  }

  /** `count` events in one transaction; the relay is told after the commit. */
  async commit(merchantId: string, count: number): Promise<CommittedEvents> {
    const events = Array.from({ length: count }, () => {
      const n = ++this.seq;
      return webhookEventOutboxEvent({
        type: 'payment.succeeded',
        merchantId,
        paymentIntentId: `pi_bench_${n}`,
        object: { id: `pi_bench_${n}`, object: 'payment_intent', amount: 1000 + (n % 100), currency: 'gbp', status: 'succeeded', metadata: { order: `order-${n}` } },
        previousAttributes: { status: 'processing' },
        occurredAt: new Date().toISOString(),
      });
    });
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO "${MERCHANT_SCHEMA}".outbox (topic, aggregate_id, payload)
       SELECT e->>'topic', e->>'aggregateId', e->'payload' FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n
       RETURNING id`,
      [JSON.stringify(events)],
    );
    const committedAt = Date.now();
    this.relay.notify();
    return { eventIds: rows.map((row) => webhookEventId(MERCHANT_SCHEMA, String(row.id))), committedAt };
  }

  async close(): Promise<void> {
    await this.relay.stop();
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export interface DeliveryLog {
  /** Logged attempts per event id (webhook_delivery_attempts of its deliveries). */
  attempts: Map<string, number>;
  /** Deliveries by status. */
  statuses: Record<string, number>;
}

/** The delivery log of one endpoint, read from the merchant schema. */
export async function deliveryLog(query: <T>(sql: string, params?: unknown[]) => Promise<T[]>, endpointId: string): Promise<DeliveryLog> {
  const attempts = await query<{ event_id: string; n: number }>(
    `SELECT d.event_id, count(a.*)::int AS n FROM "${MERCHANT_SCHEMA}".webhook_deliveries d
       LEFT JOIN "${MERCHANT_SCHEMA}".webhook_delivery_attempts a ON a.delivery_id = d.id
      WHERE d.endpoint_id = $1 GROUP BY d.event_id`,
    [endpointId],
  );
  const statuses = await query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM "${MERCHANT_SCHEMA}".webhook_deliveries WHERE endpoint_id = $1 GROUP BY status`,
    [endpointId],
  );
  return { attempts: new Map(attempts.map((a) => [a.event_id, a.n])), statuses: Object.fromEntries(statuses.map((s) => [s.status, s.n])) };
}
