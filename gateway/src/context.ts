// The context of one client request at the gateway; the data sources read it to sign subgraph calls.
import type { Principal } from '@handoff/shared/identity/principal';

export interface GatewayContext {
  principal: Principal;
  /** `encodePrincipal(principal)`, computed once per API key, not per request. */
  principalHeader: string;
  requestId: string;
  /** The client's `Idempotency-Key` header, forwarded only for a request that is one mutation. */
  idempotencyKey?: string;
  /**
   * Set only by the gateway itself, on the queries it derives from a subscription it already held
   * to the client secret's allow-list (auth/client-allow-list.ts). Never from a client's request.
   */
  derivedFromCheckedSubscription?: boolean;
}
