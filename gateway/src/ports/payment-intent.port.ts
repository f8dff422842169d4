// What the gateway asks payment-intent outside the federated graph: an inbound PSP webhook,
// forwarded with its raw body and the PSP's signature header to the signed raw-body route
// `POST /internal/webhooks/:provider/:merchantId` (docs/internal-contracts.md). Synchronous:
// the PSP is answered 2xx only once payment-intent has verified and stored the event (its inbox row).
//
// Timeout: the gateway's subgraph timeout (SUBGRAPH_TIMEOUT_MS, the signing client's). When
// payment-intent is down, slow or over its in-flight bound, the PSP is answered 503 with
// Retry-After (webhooks/webhook-route.ts) and delivers the event again; nothing is stored.
import type { GatewayRouteDeps, InternalResponse } from '../route-deps.js';

/** The route's path for one provider and merchant. */
export const webhookPath = (provider: string, merchantId: string): string => `/internal/webhooks/${provider}/${encodeURIComponent(merchantId)}`;

/** Forwards one webhook; rejects when payment-intent cannot be reached. */
export function forwardWebhook(
  callInternal: GatewayRouteDeps['callInternal'],
  webhook: { provider: string; merchantId: string; body: Buffer; headers: Record<string, string> },
): Promise<InternalResponse> {
  return callInternal('payment-intent', webhookPath(webhook.provider, webhook.merchantId), webhook.body, webhook.headers);
}
