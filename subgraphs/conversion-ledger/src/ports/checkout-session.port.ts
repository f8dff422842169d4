// What the ledger asks checkout-session, in a request only: whether an agent session a merchant
// reports a conversion against recommended that merchant's offers (reportConversion). Signed
// GraphQL, SERVICE principal (docs/internal-contracts.md). The payment-event path asks
// checkout-session nothing: the event and the signed AAP code carry what it checks.
//
// Timeout: CHECKOUT_SESSION_CALL_TIMEOUT_MS. When checkout-session is down or slow the merchant's
// reportConversion fails (a transport failure is INTERNAL_SERVER_ERROR at the edge), nothing is written, and the merchant
// retries with the same Idempotency-Key. A "does not exist" answer reads as null.
import { InternalClient } from '@handoff/shared';
import { orNull } from './merchant.port.js';

/** How long the ledger waits for checkout-session, per call. */
export const CHECKOUT_SESSION_CALL_TIMEOUT_MS = 10_000;

/** checkout-session as the ledger needs it; tests pass their own. */
export interface CheckoutSessionPort {
  /**
   * The agent of an agent session a merchant reports against, only when that session holds a
   * recommendation of one of `merchantId`'s offers (null otherwise, as for an unknown session).
   */
  agentSession(id: string, merchantId: string): Promise<{ id: string; agentId: string | null } | null>;
}

const AGENT_SESSION = `query LedgerAgentSession($id: ID!, $merchantId: ID!) {
  agentSessionRecommending(id: $id, merchantId: $merchantId) { id agent { id } } }`;

export class InternalCheckoutSessionPort implements CheckoutSessionPort {
  private readonly client: InternalClient;

  constructor(url: string, secret: string) {
    this.client = new InternalClient({ url, secret, service: 'conversion-ledger', timeoutMs: CHECKOUT_SESSION_CALL_TIMEOUT_MS });
  }

  async agentSession(id: string, merchantId: string): Promise<{ id: string; agentId: string | null } | null> {
    const data = await orNull(this.client.request<{ agentSessionRecommending: { id: string; agent: { id: string } | null } | null }>(AGENT_SESSION, { id, merchantId }));
    const s = data?.agentSessionRecommending;
    return s ? { id: s.id, agentId: s.agent?.id ?? null } : null;
  }
}
