// Webhook ingestion under load and across a secret rotation, through the gateway's webhook route:
// admission control answers 503 + Retry-After at once beyond its bound, stores nothing for what it
// refused, and every refused event is stored and applied once the PSP retries it; a rotated webhook
// secret is picked up at once although credentials are remembered for minutes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../src/webhooks/signature.js';
import { admin, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const unknownEvent = () => {
  const id = `evt_${randomBytes(8).toString('hex')}`;
  return { id, object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: `cus_${id}`, object: 'customer', metadata: {} } } };
};

const inboxCount = async (h: PaymentsHarness, eventId: string) =>
  Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payment.webhook_inbox WHERE event_id = $1`, [eventId]))[0].n);

describe('webhook admission control', () => {
  let h: PaymentsHarness;
  let shop: { id: string; webhookSecret: string };

  beforeAll(async () => {
    h = await startPaymentsHarness({ WEBHOOK_MAX_IN_FLIGHT: '1', WEBHOOK_SHED_RETRY_AFTER_S: '7' });
    shop = await h.testMerchant('Busy Shop');
  });
  afterAll(async () => h?.close());

  it('beyond its bound: 503 + Retry-After at once, nothing stored; retried, every event is stored and applied once', async () => {
    const events = Array.from({ length: 30 }, unknownEvent);
    const shed: typeof events = [];
    for (let round = 0; round < 5 && shed.length === 0; round++) {
      const answers = await Promise.all(events.map((e) => h.signedWebhook(shop.id, shop.webhookSecret, e)));
      answers.forEach((a, i) => {
        if (a.status === 503) {
          expect(a.json).toEqual({ received: false, error: 'temporarily overloaded', retryAfterSeconds: 7 });
          expect(a.retryAfter).toBe('7');
          shed.push(events[i]!);
        } else {
          expect(a.status).toBe(200);
          expect(['queued', 'duplicate']).toContain(a.json.status);
        }
      });
    }
    expect(shed.length).toBeGreaterThan(0);
    // A refused event was not stored (unless an earlier round stored it).
    const acceptedEarlier = new Set<string>();
    for (const e of shed) if ((await inboxCount(h, e.id)) === 1) acceptedEarlier.add(e.id);
    expect(acceptedEarlier.size).toBeLessThan(shed.length);

    // The PSP retries them one at a time: admitted, and the bound is free again after each answer.
    for (const e of shed) {
      const retry = await h.signedWebhook(shop.id, shop.webhookSecret, e);
      expect(retry.status).toBe(200);
      expect(retry.json.status).toBe(acceptedEarlier.has(e.id) ? 'duplicate' : 'queued');
    }
    for (const e of events) {
      expect(await inboxCount(h, e.id)).toBe(1);
      await waitFor(
        async () => (await h.payments.dataSource.query(`SELECT 1 FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [e.id])).length > 0,
        15_000,
        `inbox ${e.id} processed`,
      );
    }
  });
});

describe('webhook secret rotation with remembered credentials', () => {
  let h: PaymentsHarness;

  beforeAll(async () => {
    // Remembered for 10 minutes: only the invalidation can make the test see the rotation.
    h = await startPaymentsHarness({ PSP_CREDENTIALS_CACHE_MS: '600000' });
  });
  afterAll(async () => h?.close());

  it('after reconnecting the PSP, the old secret is refused and the new one accepted, long before the TTL', async () => {
    const shop = await h.testMerchant('Rotating Shop');
    const before = unknownEvent();
    expect((await h.signedWebhook(shop.id, shop.webhookSecret, before)).status).toBe(200); // the secret is now remembered

    const rotated = await h.callMerchant(admin, `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: shop.id });
    const newSecret = rotated.data!.connectPaymentProcessor.webhookSecret as string;
    expect(newSecret).not.toBe(shop.webhookSecret);

    // The old secret stops working as soon as the merchant subgraph's event arrives, not after 10 minutes…
    const refusedOld = await waitFor(
      async () => {
        const e = unknownEvent();
        const res = await h.signedWebhook(shop.id, shop.webhookSecret, e);
        return res.status === 400 ? e : undefined;
      },
      10_000,
      'the old secret refused',
    );
    expect(await inboxCount(h, refusedOld.id)).toBe(0);
    // …and the new one is accepted.
    const after = unknownEvent();
    const body = JSON.stringify(after);
    const res = await h.postWebhook(shop.id, body, { 'handoff-signature': signatureHeader(newSecret, body) });
    expect(res).toEqual({ status: 200, json: { received: true, status: 'queued' } });
  });
});
