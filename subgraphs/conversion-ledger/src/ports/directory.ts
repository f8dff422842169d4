// Every other subgraph the ledger asks, as one object its services take (tests pass their own):
// the merchant subgraph (merchant.port.ts) and checkout-session (checkout-session.port.ts).
import { InternalCheckoutSessionPort, type CheckoutSessionPort } from './checkout-session.port.js';
import { InternalMerchantPort, type AgentView, type Lookup, type MerchantLookups, type MerchantPort, type MerchantView } from './merchant.port.js';

export type { AgentView, MerchantLookups, MerchantView } from './merchant.port.js';

export interface Directory extends MerchantPort, CheckoutSessionPort {
  /**
   * Starts a verified payment's merchant lookups at once, in one call, and returns a Directory
   * that answers those from the call's results (each one's own error, if it failed, surfaces
   * only when that lookup is made) and anything else as this one does.
   */
  prefetch?(keys: MerchantLookups): Directory;
}

/** The answers of a prefetch, by lookup; anything else goes to the live directory. */
class PrefetchedDirectory implements Directory {
  constructor(
    private readonly live: Directory,
    private readonly known: { merchant: Lookup<MerchantView>; agent: Lookup<AgentView> },
  ) {}

  private from<T>(lookup: Lookup<T>, key: string, otherwise: () => Promise<T | null>): Promise<T | null> {
    return lookup && lookup.key === key ? lookup.answer : otherwise();
  }

  merchant(id: string) {
    return this.from(this.known.merchant, id, () => this.live.merchant(id));
  }
  agent(id: string) {
    return this.from(this.known.agent, id, () => this.live.agent(id));
  }
  agentSession(id: string, merchantId: string) {
    return this.live.agentSession(id, merchantId);
  }
}

export class InternalDirectory implements Directory {
  private readonly merchants: InternalMerchantPort;
  private readonly checkout: InternalCheckoutSessionPort;

  constructor(urls: { merchant: string; checkoutSession: string }, secret: string) {
    this.merchants = new InternalMerchantPort(urls.merchant, secret);
    this.checkout = new InternalCheckoutSessionPort(urls.checkoutSession, secret);
  }

  merchant(id: string) {
    return this.merchants.merchant(id);
  }
  agent(id: string) {
    return this.merchants.agent(id);
  }
  agentSession(id: string, merchantId: string) {
    return this.checkout.agentSession(id, merchantId);
  }
  prefetch(k: MerchantLookups): Directory {
    return new PrefetchedDirectory(this, this.merchants.prefetch(k));
  }
}
