// Receiving a PSP webhook: verify the signature on the raw bytes with the merchant's secret,
// store the event in the inbox (unique on provider + event id) and commit, and only then answer
// 2xx; the job that applies it is added after the commit, without holding the answer. Nothing is
// stored on any failure.
import type { Logger } from '@handoff/shared';
import { providerOfPath, type CredentialsSource, type MerchantCredentials } from '../psp/merchant-credentials.js';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import type { IngestQueue } from './ingest-webhook.job.js';
import { InvalidPspEvent, readPspEvent } from './psp-event.js';
import { HANDOFF_SIGNATURE_HEADER, STRIPE_SIGNATURE_HEADER, verifySignature, type SignatureCheck } from './signature.js';
import { verifyStripeSignature } from './stripe-signature.js';
import type { InboxWriter } from './inbox-writer.js';

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const bad = (error: string): WebhookAnswer => ({ status: 400, body: { received: false, error } });

export class WebhookIngestService {
  constructor(
    private readonly inbox: InboxWriter,
    private readonly credentials: CredentialsSource,
    private readonly queue: IngestQueue,
    private readonly logger: Logger,
  ) {}

  async receive(providerPath: string, merchantId: string, raw: Buffer, headers: Record<string, string | undefined>): Promise<WebhookAnswer> {
    const provider = providerOfPath[providerPath];
    if (!provider) return { status: 404, body: { received: false, error: 'unknown provider' } };
    if (!MERCHANT_ID.test(merchantId)) return bad('unknown merchant');
    const header = provider === PaymentProvider.TEST ? headers[HANDOFF_SIGNATURE_HEADER] : headers[STRIPE_SIGNATURE_HEADER];
    if (!header) return bad('missing signature header');

    let check = this.check(provider, raw, header, await this.credentials.get(merchantId));
    if (!check.ok) {
      // The connector may have changed (a rotated secret) since it was remembered: ask again.
      // Shared with concurrent askers and rate-bounded, so bad signatures cannot flood the merchant subgraph.
      check = this.check(provider, raw, header, await this.credentials.revalidate(merchantId));
    }
    if (!check.ok) {
      this.logger.warn({ provider: providerPath, merchantId, reason: check.reason }, 'webhook refused');
      return bad(check.reason === 'no webhook secret' ? 'no webhook secret for this merchant and provider' : 'invalid signature');
    }

    let event;
    try {
      event = readPspEvent(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof InvalidPspEvent) return bad('body is not a PSP event');
      throw err;
    }

    const row = await this.inbox.write({
      provider: providerPath,
      eventId: event.id,
      merchantId,
      eventType: event.type,
      providerPaymentId: event.object.id,
      body: raw.toString('utf8'),
    });
    // Durable now: answer. The job is added after the answer, not before it: if Redis is down or
    // slow, the inbox row is still there and the sweep adds its job later.
    if (!row.processed) {
      this.queue.enqueueSoon(row.id).catch((err: unknown) => this.logger.warn({ err, inboxId: row.id }, 'webhook job not queued; the sweep will'));
    }
    return { status: 200, body: { received: true, status: row.inserted ? 'queued' : 'duplicate' } };
  }

  private check(provider: PaymentProvider, raw: Buffer, header: string, creds: MerchantCredentials | null): SignatureCheck {
    if (!creds || creds.provider !== provider || !creds.webhookSecret) return { ok: false, reason: 'no webhook secret' };
    return provider === PaymentProvider.TEST
      ? verifySignature({ payload: raw, header, secret: creds.webhookSecret })
      : verifyStripeSignature(raw, header, creds.webhookSecret);
  }
}
