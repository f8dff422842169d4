// What the gateway asks the conversion-ledger subgraph outside the federated graph, for
// subscriptions (docs/internal-contracts.md): the committed `conversion.updated` events after a
// cursor, in a subscriber's scope (`conversionUpdated(after:)` replay) or for all tenants as
// the SERVICE `gateway-subscriptions` (the event bus filling a gap in its ordered live feed), and
// the highest cursor committed. Signed GraphQL (`conversionEventsAfter`, `conversionEventsHead`, @inaccessible).
// Synchronous: a replay must be read before the subscription goes live, in cursor order.
//
// Timeout: the gateway's subgraph timeout (SUBGRAPH_TIMEOUT_MS, config.subgraphTimeoutMs). When
// the ledger is down or slow: a subscription asking for a replay gets SERVICE_UNAVAILABLE
// ("subscribe again with the same cursor", subscriptions/sources.ts) and nothing is skipped;
// the event bus keeps its cursor and reads the gap again on the next conversion message.
import { InternalClient } from '@handoff/shared/http/internal-client';
import type { Principal } from '@handoff/shared/identity/principal';

/** One committed `conversion.updated` event, as the ledger reads it back. */
export interface ConversionEventRow {
  cursor: string;
  conversionId: string;
  merchantId: string;
  agentId: string | null;
  status: string;
}

const HEAD = 'query ConversionEventsHead { conversionEventsHead }';
const FEED_AFTER = `query ConversionFeed($after: String!, $limit: Int) {
  conversionEventsAfter(after: $after, limit: $limit) { cursor conversionId merchantId agentId status }
}`;
const EVENTS_AFTER = `query ConversionEventsAfter($after: String!, $merchantId: ID, $limit: Int) {
  conversionEventsAfter(after: $after, merchantId: $merchantId, limit: $limit) { cursor conversionId merchantId agentId status }
}`;

/** The SERVICE principal the gateway's event bus reads all tenants' events as. */
const GATEWAY_SUBSCRIPTIONS: Principal = { kind: 'SERVICE', service: 'gateway-subscriptions' };

export class ConversionLedgerPort {
  private readonly client: InternalClient;

  constructor(opts: { url: string; secret: string; timeoutMs: number }) {
    this.client = new InternalClient({ url: opts.url, secret: opts.secret, service: 'gateway', timeoutMs: opts.timeoutMs });
  }

  /** The highest cursor committed now, or '0'. */
  async head(): Promise<string> {
    return (await this.client.request<{ conversionEventsHead: string }>(HEAD, {}, { principal: GATEWAY_SUBSCRIPTIONS })).conversionEventsHead;
  }

  /** Every tenant's events after `after`, oldest first, at most `limit`. */
  async feedAfter(after: string, limit: number): Promise<ConversionEventRow[]> {
    return (await this.client.request<{ conversionEventsAfter: ConversionEventRow[] }>(FEED_AFTER, { after, limit }, { principal: GATEWAY_SUBSCRIPTIONS }))
      .conversionEventsAfter;
  }

  /** The events after `after` that `principal` may see (optionally one merchant's), oldest first, at most `limit`. */
  async eventsAfter(principal: Principal, after: string, merchantId: string | null, limit: number): Promise<ConversionEventRow[]> {
    return (await this.client.request<{ conversionEventsAfter: ConversionEventRow[] }>(EVENTS_AFTER, { after, merchantId, limit }, { principal }))
      .conversionEventsAfter;
  }
}
