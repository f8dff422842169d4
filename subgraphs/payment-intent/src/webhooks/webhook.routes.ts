// The signed internal route the gateway forwards webhooks to: POST /internal/webhooks/:provider/:merchantId
// with the raw body and the PSP's signature header. Answers as API.md says: 2xx once durable,
// 400 on any verification failure, 5xx when the event could not be stored (the PSP retries) —
// including at once, before any work, when more webhooks are in flight than admission allows.
import type { InternalAnswer, InternalRoute, Logger } from '@handoff/shared';
import { SHED_ERROR, type WebhookAdmission } from './admission.js';
import type { WebhookIngestService } from './webhook-ingest.service.js';
import { HANDOFF_SIGNATURE_HEADER, STRIPE_SIGNATURE_HEADER } from './signature.js';

/** Retry-After (seconds) when the event could not be stored (database or merchant subgraph unavailable). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

export function webhookRoutes(ingest: WebhookIngestService, admission: WebhookAdmission, logger: Logger): InternalRoute[] {
  const unavailable: InternalAnswer = {
    status: 503,
    headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) },
    body: { received: false, error: 'temporarily unavailable' },
  };
  return [
    {
      path: '/webhooks/:provider/:merchantId',
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return { status: 403, body: { received: false, error: 'forbidden' } };
        // The gateway gave up on this call (its timeout): it already answered the PSP, who will retry.
        if (req.gone()) return unavailable;
        if (!admission.tryEnter()) {
          const retryAfter = admission.opts.retryAfterSeconds;
          return { status: 503, headers: { 'retry-after': String(retryAfter) }, body: { received: false, error: SHED_ERROR, retryAfterSeconds: retryAfter } };
        }
        const { provider = '', merchantId = '' } = req.params;
        const headers = {
          [HANDOFF_SIGNATURE_HEADER]: single(req.headers[HANDOFF_SIGNATURE_HEADER]),
          [STRIPE_SIGNATURE_HEADER]: single(req.headers[STRIPE_SIGNATURE_HEADER]),
        };
        try {
          return await ingest.receive(provider, merchantId, req.rawBody, headers);
        } catch (err) {
          // PostgreSQL (or the merchant subgraph, for the secret) unavailable: nothing was stored.
          logger.error({ err, provider, merchantId }, 'webhook could not be stored');
          return unavailable;
        } finally {
          admission.leave();
        }
      },
    },
  ];
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
