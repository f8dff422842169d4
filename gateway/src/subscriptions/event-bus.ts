// The outbox events a gateway replica fans out to its subscribers. Every replica listens to the
// same Redis pub/sub channels (`<prefix>:events:<topic>`, announced by each subgraph's outbox
// relay), so any replica serves any subscriber. One subscriber connection per replica, opened
// on first use; listeners are called synchronously and must only enqueue.
import { createRedis, eventsChannel, type Logger, type OutboxJobData } from '@handoff/shared';

/** A `payment_intent.<status>` event, as subscribers filter and resolve it. */
export interface PaymentChange {
  family: 'payment_intent';
  /** The payment schema's outbox id: increases with every event of this family. */
  cursor: string;
  topic: string;
  intentId: string;
  merchantId: string;
  checkoutSessionId: string | null;
  status: string;
  /** Resolutions shared by subscribers with the same principal and selection (live events only). */
  memo?: Map<string, Promise<unknown>>;
}

/** A `conversion.updated` event (live, or replayed from the ledger). */
export interface ConversionChange {
  family: 'conversion';
  /** The ledger's conversion event sequence value. */
  cursor: string;
  conversionId: string;
  merchantId: string;
  agentId: string | null;
  status: string;
  memo?: Map<string, Promise<unknown>>;
}

export type Change = PaymentChange | ConversionChange;
type Listener<C> = (change: C) => void;

/** Parses a pub/sub message into a change, or undefined for topics subscriptions ignore. */
export function changeOf(message: OutboxJobData): Change | undefined {
  const { topic, payload, outboxId } = message;
  if (topic.startsWith('payment_intent.')) {
    const pi = payload.paymentIntent as Record<string, unknown> | undefined;
    if (!pi || typeof pi.id !== 'string' || typeof pi.status !== 'string') return undefined;
    return {
      family: 'payment_intent',
      cursor: String(outboxId),
      topic,
      intentId: pi.id,
      merchantId: String(pi.merchantId),
      checkoutSessionId: typeof pi.checkoutSessionId === 'string' ? pi.checkoutSessionId : null,
      status: pi.status,
      memo: new Map(),
    };
  }
  if (topic === 'conversion.updated') {
    const c = payload.conversion as Record<string, unknown> | undefined;
    if (!c || typeof c.id !== 'string' || typeof payload.cursor !== 'string') return undefined;
    return {
      family: 'conversion',
      cursor: payload.cursor,
      conversionId: c.id,
      merchantId: String(c.merchantId),
      agentId: typeof c.agentId === 'string' ? c.agentId : null,
      status: String(c.status),
      memo: new Map(),
    };
  }
  return undefined;
}

export class RedisEventBus {
  private redis: ReturnType<typeof createRedis> | undefined;
  private ready: Promise<void> | undefined;
  private readonly listeners = { payment_intent: new Set<Listener<PaymentChange>>(), conversion: new Set<Listener<ConversionChange>>() };
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: { redisUrl: string; queuePrefix: string; logger: Logger }) {
    this.log = opts.logger.child({ component: 'subscription-events' });
  }

  /**
   * Adds a listener once this replica is subscribed on Redis, so every event published after
   * this resolves reaches it. Returns the function that removes it.
   */
  async listen<F extends Change['family']>(family: F, listener: Listener<Extract<Change, { family: F }>>): Promise<() => void> {
    await this.connect();
    const set = this.listeners[family] as Set<Listener<Extract<Change, { family: F }>>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis?.disconnect();
    this.redis = undefined;
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The subscription event bus is closed.'));
    this.ready ??= this.open().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async open(): Promise<void> {
    const redis = createRedis(this.opts.redisUrl);
    this.redis = redis;
    redis.on('error', (err) => this.log.warn({ err }, 'subscription events: Redis error'));
    redis.on('pmessage', (_pattern: string, _channel: string, message: string) => this.dispatch(message));
    // ioredis re-subscribes by itself after a reconnect. Events published while it was away are
    // not replayed here: conversion subscribers resume with `after`.
    await redis.psubscribe(eventsChannel(this.opts.queuePrefix, 'payment_intent.*'), eventsChannel(this.opts.queuePrefix, 'conversion.*'));
  }

  private dispatch(message: string): void {
    let change: Change | undefined;
    try {
      change = changeOf(JSON.parse(message) as OutboxJobData);
    } catch (err) {
      this.log.warn({ err }, 'subscription events: unreadable message');
      return;
    }
    if (!change) return;
    const set = this.listeners[change.family] as Set<Listener<Change>>;
    for (const listener of set) {
      try {
        listener(change);
      } catch (err) {
        this.log.error({ err }, 'subscription listener failed');
      }
    }
  }
}
