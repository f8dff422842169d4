// The signed internal route the gateway forwards webhooks to: POST /internal/webhooks/:provider/:merchantId
// with the raw body and the PSP's signature header. Answers as API.md says: 2xx once durable,
// 400 on any verification failure, 5xx when the event could not be stored (the PSP retries).
import type { Logger, SignedRequest } from '@handoff/shared';
import type { Response, Router } from 'express';
import type { WebhookIngestService } from './webhook-ingest.service.js';
import { HANDOFF_SIGNATURE_HEADER, STRIPE_SIGNATURE_HEADER } from './signature.js';

export function mountWebhookRoutes(router: Router, ingest: WebhookIngestService, logger: Logger): void {
  router.post('/webhooks/:provider/:merchantId', async (req: SignedRequest, res: Response) => {
    if (req.principal?.kind !== 'SERVICE') {
      res.status(403).json({ received: false, error: 'forbidden' });
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
      res.status(503).set('retry-after', '5').json({ received: false, error: 'temporarily unavailable' });
    }
  });
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
