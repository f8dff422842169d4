// Receiving a PSP webhook: verify the signature on the raw bytes with the merchant's secret,
// store the event in the inbox (unique on provider + event id) and commit, and only then answer
// 2xx; the job that applies it is added after the commit. Nothing is stored on any failure.
import type { Logger } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { providerOfPath, type CredentialsSource } from '../psp/merchant-credentials.js';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import type { IngestQueue } from './ingest-webhook.job.js';
import { InvalidPspEvent, readPspEvent } from './psp-event.js';
import { HANDOFF_SIGNATURE_HEADER, STRIPE_SIGNATURE_HEADER, verifySignature, type SignatureCheck } from './signature.js';
import { verifyStripeSignature } from './stripe-signature.js';

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const bad = (error: string): WebhookAnswer => ({ status: 400, body: { received: false, error } });

export class WebhookIngestService {
  constructor(
    private readonly dataSource: DataSource,
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

    let check = await this.verify(provider, merchantId, raw, header);
    if (!check.ok && check.reason !== 'no webhook secret') {
      // The secret may have been rotated since it was cached: ask once more.
      this.credentials.forget(merchantId);
      check = await this.verify(provider, merchantId, raw, header);
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

    const rows: Array<{ id: string; processed_at: Date | null; inserted: boolean }> = await this.dataSource.query(
      `WITH ins AS (
         INSERT INTO payment.webhook_inbox (provider, event_id, merchant_id, event_type, provider_payment_id, body)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         ON CONFLICT (provider, event_id) DO NOTHING
         RETURNING id, processed_at, true AS inserted)
       SELECT * FROM ins
       UNION ALL
       SELECT id, processed_at, false FROM payment.webhook_inbox WHERE provider = $1 AND event_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [providerPath, event.id, merchantId, event.type, event.object.id, raw.toString('utf8')],
    );
    // A concurrent insert of the same event can commit after this statement's snapshot: read again.
    const row =
      rows[0] ??
      (
        (await this.dataSource.query(`SELECT id, processed_at, false AS inserted FROM payment.webhook_inbox WHERE provider = $1 AND event_id = $2`, [
          providerPath,
          event.id,
        ])) as typeof rows
      )[0]!;
    // Durable now. The job is best effort here: if Redis is down, the sweep adds it later.
    if (!row.processed_at) {
      await this.queue.enqueue(String(row.id)).catch((err: unknown) => this.logger.warn({ err, inboxId: row.id }, 'webhook job not queued; the sweep will'));
    }
    return { status: 200, body: { received: true, status: row.inserted ? 'queued' : 'duplicate' } };
  }

  private async verify(provider: PaymentProvider, merchantId: string, raw: Buffer, header: string): Promise<SignatureCheck> {
    const creds = await this.credentials.get(merchantId);
    if (!creds || creds.provider !== provider || !creds.webhookSecret) return { ok: false, reason: 'no webhook secret' };
    return provider === PaymentProvider.TEST
      ? verifySignature({ payload: raw, header, secret: creds.webhookSecret })
      : verifyStripeSignature(raw, header, creds.webhookSecret);
  }
}
