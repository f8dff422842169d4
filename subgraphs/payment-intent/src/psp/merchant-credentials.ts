// A merchant's PSP credentials, asked of the merchant subgraph (ports/merchant.port.ts) and remembered: every webhook needs the secret, so the ack path
// must not wait on the merchant subgraph. Concurrent misses share one call (single flight); an
// entry past `refreshAheadRatio` of its TTL is refreshed in the background while it is still
// served; none is served past its TTL. Invalidation on rotation: the merchant subgraph's
// `merchant.updated` event (changed `paymentConnector`) drops the entry (credentials-invalidation.ts),
// a failed verification revalidates it, and the TTL bounds whatever both missed.
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import type { MerchantCredentials, MerchantPort } from '../ports/merchant.port.js';

export type { MerchantCredentials };

export interface CredentialsSource {
  get(merchantId: string): Promise<MerchantCredentials | null>;
  /** Drops what is remembered (the connector changed): the next get asks again. */
  forget(merchantId: string): void;
  /**
   * The credentials as the merchant subgraph has them now (a verification failed: maybe a rotated
   * secret). Joins a call in flight, and answers from memory if it was fetched very recently, so a
   * flood of bad signatures costs the merchant subgraph at most one call per merchant at a time.
   */
  revalidate(merchantId: string): Promise<MerchantCredentials | null>;
}

export interface CredentialsCacheOptions {
  ttlMs?: number;
  /** Refresh in the background once an entry is this far into its TTL (0–1). */
  refreshAheadRatio?: number;
  /** revalidate() answers from memory when the entry is younger than this. */
  minRevalidateMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: MerchantCredentials | null;
  fetchedAt: number;
}

export type CredentialsFetch = (merchantId: string) => Promise<MerchantCredentials | null>;

export class MerchantCredentialsCache implements CredentialsSource {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<MerchantCredentials | null>>();
  /** Bumped by forget(): a call that started before it must not repopulate the cache. */
  private readonly generation = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly refreshAfterMs: number;
  private readonly minRevalidateMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly fetch: CredentialsFetch,
    opts: CredentialsCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.refreshAfterMs = this.ttlMs * (opts.refreshAheadRatio ?? 0.75);
    this.minRevalidateMs = Math.min(opts.minRevalidateMs ?? 1000, this.ttlMs);
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** null: the merchant has no connector (or does not exist). Transport failures throw (retryable). */
  async get(merchantId: string): Promise<MerchantCredentials | null> {
    const hit = this.cache.get(merchantId);
    const age = hit ? this.now() - hit.fetchedAt : Infinity;
    if (hit && age < this.ttlMs) {
      if (age >= this.refreshAfterMs && !this.inFlight.has(merchantId)) this.load(merchantId).catch(() => undefined);
      return hit.value;
    }
    return this.load(merchantId);
  }

  forget(merchantId: string): void {
    this.cache.delete(merchantId);
    this.inFlight.delete(merchantId);
    this.generation.set(merchantId, (this.generation.get(merchantId) ?? 0) + 1);
  }

  /** Forgets every merchant (e.g. invalidation messages may have been missed). */
  clear(): void {
    for (const id of new Set([...this.cache.keys(), ...this.inFlight.keys()])) this.forget(id);
  }

  revalidate(merchantId: string): Promise<MerchantCredentials | null> {
    const running = this.inFlight.get(merchantId);
    if (running) return running;
    const hit = this.cache.get(merchantId);
    if (hit && this.now() - hit.fetchedAt < this.minRevalidateMs) return Promise.resolve(hit.value);
    return this.load(merchantId);
  }

  private load(merchantId: string): Promise<MerchantCredentials | null> {
    const running = this.inFlight.get(merchantId);
    if (running) return running;
    const generation = this.generation.get(merchantId) ?? 0;
    const startedAt = this.now();
    const call = this.fetch(merchantId)
      .then((value) => {
        if ((this.generation.get(merchantId) ?? 0) === generation) {
          if (this.cache.size >= this.maxEntries && !this.cache.has(merchantId)) this.cache.clear();
          this.cache.set(merchantId, { value, fetchedAt: startedAt });
        }
        return value;
      })
      .finally(() => {
        if (this.inFlight.get(merchantId) === call) this.inFlight.delete(merchantId);
      });
    this.inFlight.set(merchantId, call);
    return call;
  }
}

/** The cache over the merchant subgraph's internal query. */
export class MerchantCredentialsClient extends MerchantCredentialsCache {
  constructor(merchant: MerchantPort, ttlMs = 60_000) {
    super((merchantId) => merchant.paymentConnectorCredentials(merchantId), { ttlMs });
  }
}

/** The URL path segment of each provider (`/webhooks/test/…`, `/webhooks/stripe/…`). */
export const providerOfPath: Readonly<Record<string, PaymentProvider>> = { test: PaymentProvider.TEST, stripe: PaymentProvider.STRIPE };
export const pathOfProvider: Readonly<Record<PaymentProvider, string>> = { [PaymentProvider.TEST]: 'test', [PaymentProvider.STRIPE]: 'stripe' };
