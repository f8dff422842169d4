// Tells checkout-session that a merchant's pricing configuration changed: a new version token
// under pricingConfigVersionKey (shared/src/contracts/pricing-config.contract.ts), set after the
// change commits and before it is answered, so the next calculation fetches the configuration
// again instead of using the one it kept. Redis failing here does not undo the committed change:
// it is logged, and checkout-session keeps a configuration at most its TTL (30 s).
import { randomBytes } from 'node:crypto';
import { pricingConfigVersionKey, type Logger } from '@handoff/shared';

/** The one Redis command used (an ioredis client). */
export interface VersionStore {
  set(key: string, value: string): Promise<unknown>;
}

export interface PricingConfigVersions {
  /** After a committed change to the merchant's shipping, tax, promotions or providers. Never throws. */
  changed(merchantId: string): Promise<void>;
}

/** Where no checkout-session keeps configurations (this subgraph's own tests). */
export const untrackedPricingConfigVersions: PricingConfigVersions = { changed: async () => undefined };

const SET_TIMEOUT_MS = 1000;

export class RedisPricingConfigVersions implements PricingConfigVersions {
  constructor(
    private readonly redis: VersionStore,
    private readonly queuePrefix: string,
    private readonly logger: Logger,
  ) {}

  async changed(merchantId: string): Promise<void> {
    const token = randomBytes(12).toString('base64url');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.set(pricingConfigVersionKey(this.queuePrefix, merchantId), token),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from Redis within ${SET_TIMEOUT_MS} ms`)), SET_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.logger.warn({ err, merchantId }, 'pricing configuration version not replaced: checkout-session may use the old configuration until its TTL');
    } finally {
      clearTimeout(timer);
    }
  }
}
