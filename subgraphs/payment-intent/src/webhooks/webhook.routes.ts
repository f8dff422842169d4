// The signed internal route the gateway forwards webhooks to: POST /internal/webhooks/:provider/:merchantId
// with the raw body and the PSP's signature header. Answers as API.md says: 2xx once durable,
// 400 on any verification failure, 5xx when the event could not be stored (the PSP retries) —
// including at once, before any work, when more webhooks are in flight than admission allows.
import type { Logger, SignedRequest } from '@handoff/shared';
import type { Response, Router } from 'express';
import { SHED_ERROR, type WebhookAdmission } from './admission.js';
import type { WebhookIngestService } from './webhook-ingest.service.js';
import { HANDOFF_SIGNATURE_HEADER, STRIPE_SIGNATURE_HEADER } from './signature.js';

/** Retry-After (seconds) when the event could not be stored (database or merchant subgraph unavailable). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

export function mountWebhookRoutes(router: Router, ingest: WebhookIngestService, admission: WebhookAdmission, logger: Logger): void {
  router.post('/webhooks/:provider/:merchantId', async (req: SignedRequest, res: Response) => {
    if (req.principal?.kind !== 'SERVICE') {
      res.status(403).json({ received: false, error: 'forbidden' });
      return;
    }
    // The gateway gave up on this call (its timeout): it already answered the PSP, who will retry.
    if (req.socket.destroyed) return;
    if (!admission.tryEnter()) {
      const retryAfter = admission.opts.retryAfterSeconds;
      res.status(503).set('retry-after', String(retryAfter)).json({ received: false, error: SHED_ERROR, retryAfterSeconds: retryAfter });
      return;
    }
    const { provider, merchantId } = req.params as { provider: string; merchantId: string };
    const headers = {
      [HANDOFF_SIGNATURE_HEADER]: single(req.headers[HANDOFF_SIGNATURE_HEADER]),
      [STRIPE_SIGNATURE_HEADER]: single(req.headers[STRIPE_SIGNATURE_HEADER]),
    };
    try {
      const answer = await ingest.receive(provider, merchantId, req.rawBody ?? Buffer.alloc(0), headers);
      res.status(answer.status).json(answer.body);
    } catch (err) {
      // PostgreSQL (or the merchant subgraph, for the secret) unavailable: nothing was stored.
      logger.error({ err, provider, merchantId }, 'webhook could not be stored');
      res.status(503).set('retry-after', String(UNAVAILABLE_RETRY_AFTER_S)).json({ received: false, error: 'temporarily unavailable' });
    } finally {
      admission.leave();
    }
  });
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
