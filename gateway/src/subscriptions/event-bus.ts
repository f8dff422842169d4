// The outbox events a gateway replica fans out to its subscribers. Every replica listens to the
// same Redis pub/sub channels (`<prefix>:events:<topic>`, announced by each subgraph's outbox
// relay), so any replica serves any subscriber. One subscriber connection per replica, opened
// on first use; listeners are called synchronously and must only enqueue.
//
// Conversion events reach listeners in cursor order, with none missing: the ledger assigns
// cursors in commit order (conversion.events.ts), and a message that is not the next cursor
// (a relay replica overtaking another, messages lost while Redis was away, a rolled-back
// cursor) makes the bus read what it has not seen from the ledger (ConversionFeed) instead.
import { createRedis } from '@handoff/shared/queue/redis';
import { eventsChannel, type OutboxJobData } from '@handoff/shared/outbox/outbox';
import { CONVERSION_UPDATED_TOPIC } from '@handoff/shared/contracts/conversion-events.contract';
import { API_KEY_REVOKED_TOPIC } from '@handoff/shared/contracts/merchant-events.contract';
import type { Logger } from '@handoff/shared/logging/logger';

/** A `payment_intent.<status>` event, as subscribers filter and resolve it. */
export interface PaymentChange {
  family: 'payment_intent';
  /** The payment schema's outbox id: increases with every event of this family. */
  cursor: string;
  topic: string;
  intentId: string;
  merchantId: string;
  checkoutSessionId: string | null;
  /** The agent whose checkout the intent pays (its `aap_agent_id` metadata), if any. */
  agentId: string | null;
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

/** A `billing_subscription.<created|updated>` event (payment-intent's billing-subscription.events.ts): every change of a subscription. */
export interface BillingSubscriptionChange {
  family: 'billing_subscription';
  /** The payment schema's outbox id. */
  cursor: string;
  topic: string;
  subscriptionId: string;
  merchantId: string;
  status: string;
  memo?: Map<string, Promise<unknown>>;
}

export type Change = PaymentChange | ConversionChange | BillingSubscriptionChange;
type Listener<C> = (change: C) => void;

/** The merchant subgraph's `api_key.revoked`: connections on that key are closed. */
export interface ApiKeyRevoked {
  keyHash: string;
  keyId: string | null;
}

/** The ledger's committed `conversion.updated` events, read back in cursor order (all tenants). */
export interface ConversionFeed {
  /** The highest cursor committed now, or '0'. */
  head(): Promise<string>;
  /** Events with a cursor above `cursor`, oldest first (at most one page; call again while full). */
  after(cursor: string): Promise<{ events: Array<Omit<ConversionChange, 'family' | 'memo'>>; more: boolean }>;
}

export { API_KEY_REVOKED_TOPIC };

/** Parses a pub/sub message into a change, or undefined for topics subscriptions ignore. */
export function changeOf(message: OutboxJobData): Change | undefined {
  const { topic, payload, outboxId } = message;
  if (topic.startsWith('payment_intent.')) {
    const pi = payload.paymentIntent as Record<string, unknown> | undefined;
    if (!pi || typeof pi.id !== 'string' || typeof pi.status !== 'string') return undefined;
    const metadata = pi.metadata as Record<string, unknown> | null | undefined;
    return {
      family: 'payment_intent',
      cursor: String(outboxId),
      topic,
      intentId: pi.id,
      merchantId: String(pi.merchantId),
      checkoutSessionId: typeof pi.checkoutSessionId === 'string' ? pi.checkoutSessionId : null,
      agentId: typeof metadata?.aap_agent_id === 'string' ? metadata.aap_agent_id : null,
      status: pi.status,
      memo: new Map(),
    };
  }
  if (topic.startsWith('billing_subscription.')) {
    const b = payload.billingSubscription as Record<string, unknown> | undefined;
    if (!b || typeof b.id !== 'string' || typeof b.status !== 'string') return undefined;
    return {
      family: 'billing_subscription',
      cursor: String(outboxId),
      topic,
      subscriptionId: b.id,
      merchantId: String(b.merchantId),
      status: b.status,
      memo: new Map(),
    };
  }
  if (topic === CONVERSION_UPDATED_TOPIC) {
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

function revocationOf(message: OutboxJobData): ApiKeyRevoked | undefined {
  if (message.topic !== API_KEY_REVOKED_TOPIC) return undefined;
  const { keyHash, keyId } = message.payload;
  return typeof keyHash === 'string' ? { keyHash, keyId: typeof keyId === 'string' ? keyId : null } : undefined;
}

export class RedisEventBus {
  private redis: ReturnType<typeof createRedis> | undefined;
  private ready: Promise<void> | undefined;
  private readonly listeners = {
    payment_intent: new Set<Listener<PaymentChange>>(),
    conversion: new Set<Listener<ConversionChange>>(),
    billing_subscription: new Set<Listener<BillingSubscriptionChange>>(),
  };
  private readonly revocationListeners = new Set<Listener<ApiKeyRevoked>>();
  private readonly log: Logger;
  private closed = false;
  /** The last conversion cursor dispatched (undefined until the ledger's head is known). */
  private conversionCursor: bigint | undefined;
  /** Conversion messages are handled one after another on this chain. */
  private conversionChain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: { redisUrl: string; queuePrefix: string; logger: Logger; conversions: ConversionFeed }) {
    this.log = opts.logger.child({ component: 'subscription-events' });
  }

  /** Calls `listener` for every API key revoked from now on (once connected: see start()). */
  onRevoked(listener: Listener<ApiKeyRevoked>): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** Connects now rather than on the first subscription (revocations must be heard at once). */
  start(): void {
    this.connect().catch((err: unknown) => this.log.warn({ err }, 'subscription events: could not connect yet; retrying on the next subscription'));
  }

  /**
   * Adds a listener once this replica is subscribed on Redis, so every event published after
   * this resolves reaches it. Returns the function that removes it.
   */
  async listen<F extends Change['family']>(family: F, listener: Listener<Extract<Change, { family: F }>>): Promise<() => void> {
    await this.connect();
    // Conversions: once the ledger's head is known (and the messages before this handled), so
    // every event committed after this resolves is dispatched to the listener.
    if (family === 'conversion') await this.conversionChain;
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
    // ioredis re-subscribes by itself after a reconnect. Payment events published while it was
    // away are not replayed (see server.ts); conversion events are read back on the next one.
    await redis.psubscribe(
      eventsChannel(this.opts.queuePrefix, 'payment_intent.*'),
      eventsChannel(this.opts.queuePrefix, 'conversion.*'),
      eventsChannel(this.opts.queuePrefix, 'billing_subscription.*'),
      eventsChannel(this.opts.queuePrefix, API_KEY_REVOKED_TOPIC),
    );
    // Subscribed first, then the head: every cursor above it will be dispatched.
    this.conversionChain = this.conversionChain.then(() => this.learnConversionHead());
  }

  private async learnConversionHead(): Promise<void> {
    for (let attempt = 0; this.conversionCursor === undefined && !this.closed; attempt++) {
      try {
        this.conversionCursor = BigInt(await this.opts.conversions.head());
      } catch (err) {
        this.log.warn({ err }, 'subscription events: could not read the conversion head; retrying');
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
  }

  /** One conversion message, in turn: the next cursor goes out as is; anything else reads the ledger. */
  private async onConversion(change: ConversionChange): Promise<void> {
    const last = this.conversionCursor;
    if (last === undefined || this.closed) return;
    const cursor = BigInt(change.cursor);
    if (cursor <= last) return; // already dispatched (the relay delivers at least once)
    if (cursor === last + 1n) {
      this.conversionCursor = cursor;
      this.emit(change);
      return;
    }
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const page = await this.opts.conversions.after(String(this.conversionCursor));
        for (const event of page.events) {
          const c = BigInt(event.cursor);
          if (c <= this.conversionCursor!) continue;
          this.conversionCursor = c;
          this.emit({ family: 'conversion', ...event, memo: new Map() });
        }
        if (!page.more && this.conversionCursor! >= cursor) return;
        if (!page.more && page.events.length === 0) return; // not visible yet: the next message reads again
      } catch (err) {
        this.log.warn({ err }, 'subscription events: could not read conversion events; retrying');
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)));
      }
    }
  }

  private dispatch(message: string): void {
    let parsed: OutboxJobData;
    let change: Change | undefined;
    try {
      parsed = JSON.parse(message) as OutboxJobData;
      change = changeOf(parsed);
    } catch (err) {
      this.log.warn({ err }, 'subscription events: unreadable message');
      return;
    }
    const revoked = change ? undefined : revocationOf(parsed);
    if (revoked) {
      for (const listener of this.revocationListeners) {
        try {
          listener(revoked);
        } catch (err) {
          this.log.error({ err }, 'revocation listener failed');
        }
      }
      return;
    }
    if (!change) return;
    if (change.family === 'conversion') {
      const c = change;
      this.conversionChain = this.conversionChain.then(() => this.onConversion(c));
      return;
    }
    this.emit(change);
  }

  private emit(change: Change): void {
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
