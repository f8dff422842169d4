// The merchant's dunning schedule as renewals read it (issue 22 item 4; docs/recurring.md): the
// merchant subgraph's `billingSettings` (SERVICE query through the merchant port, the signed
// internal-call channel), remembered for `ttlMs` per merchant so a renewal run over many
// subscriptions of one merchant asks once. A change reaches renewals within the TTL. The merchant
// subgraph down (and nothing remembered): the call fails before anything is charged and the renew
// job retries (BullMQ attempts); a schedule is never guessed.
import type { DunningSettings } from '@handoff/shared';
import type { DunningPolicy } from './billing-renewal.js';
import { BillingSubscriptionStatus as B } from './billing-subscription.states.js';

export const DUNNING_SETTINGS_TTL_MS = 30_000;

export const policyOf = (s: DunningSettings): DunningPolicy => ({ retryDays: [...s.retryDays], finalStatus: s.finalStatus === 'CANCELED' ? B.CANCELED : B.UNPAID });

export class MerchantDunningSettings {
  private readonly cache = new Map<string, { policy: DunningPolicy; at: number }>();
  private readonly inFlight = new Map<string, Promise<DunningPolicy>>();

  constructor(
    private readonly read: (merchantId: string) => Promise<DunningSettings>,
    private readonly ttlMs = DUNNING_SETTINGS_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The policy for `merchantId` (a fresh remembered one, or read now). */
  get = (merchantId: string): Promise<DunningPolicy> => {
    const hit = this.cache.get(merchantId);
    if (hit && this.clock() - hit.at < this.ttlMs) return Promise.resolve(hit.policy);
    const pending = this.inFlight.get(merchantId);
    if (pending) return pending;
    const call = this.read(merchantId)
      .then((settings) => {
        const policy = policyOf(settings);
        if (this.cache.size >= 10_000) this.cache.clear();
        this.cache.set(merchantId, { policy, at: this.clock() });
        return policy;
      })
      .finally(() => this.inFlight.delete(merchantId));
    this.inFlight.set(merchantId, call);
    return call;
  };
}
