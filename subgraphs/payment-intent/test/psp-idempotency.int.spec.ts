// The case the PSP idempotency keys exist for (command-run.ts `pspKey`): the PSP charges, but
// Handoff never gets its answer (the connection dies after the sandbox answered, as when the
// answer arrives after Handoff's client timeout), so the confirm's transaction rolls back. The
// sandbox's webhook to the merchant is switched off, so nothing but the retry can record the
// payment. The client's retry of the same confirm sends the same PSP keys, the sandbox replays
// its stored answers (Idempotent-Replayed), and Handoff records SUCCEEDED: one charge at the PSP,
// captured once in Handoff, and the two agree.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, asMerchant, newId, service, startPaymentsHarness, type PaymentsHarness } from './support.js';

const PI_FIELDS = `id status providerPaymentId version amount { amountMinor } amountCaptured { amountMinor } lastPaymentError { code } events { type }`;
const CREATE = `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { ${PI_FIELDS} } }`;
const CONFIRM = `mutation($id: ID!, $pm: PaymentMethodInput!, $key: String) { confirmPaymentIntent(id: $id, paymentMethod: $pm, idempotencyKey: $key) { ${PI_FIELDS} } }`;
const BY_ID = `query($id: ID!) { paymentIntent(id: $id) { ${PI_FIELDS} } }`;

interface Seen {
  method: string;
  path: string;
  status: number;
  replayed: boolean;
  /** The sandbox answered, and the proxy destroyed the connection instead of passing it on. */
  dropped: boolean;
}

/**
 * A forwarding HTTP proxy between payment-intent and the sandbox: every request goes to the
 * sandbox; the first POST whose path matches `dropAfterAnswer` (once armed) is answered by the
 * sandbox, and then its connection is destroyed, so payment-intent never gets the answer.
 */
class LossyProxy {
  target = '';
  dropAfterAnswer: RegExp | null = null;
  readonly seen: Seen[] = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const upstream = await fetch(`${this.target}${req.url}`, {
          method: req.method,
          headers: forwardable(req.headers),
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        const path = (req.url ?? '').split('?')[0]!;
        const drop = req.method === 'POST' && this.dropAfterAnswer !== null && this.dropAfterAnswer.test(path);
        if (drop) this.dropAfterAnswer = null;
        this.seen.push({ method: req.method!, path, status: upstream.status, replayed: upstream.headers.get('idempotent-replayed') === 'true', dropped: drop });
        if (drop) {
          req.socket.destroy();
          return;
        }
        const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
        const replayed = upstream.headers.get('idempotent-replayed');
        if (replayed) headers['idempotent-replayed'] = replayed;
        res.writeHead(upstream.status, headers).end(body);
      })().catch(() => req.socket.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function forwardable(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || ['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

let h: PaymentsHarness;
let shop: { id: string; webhookSecret: string };
const proxy = new LossyProxy();

beforeAll(async () => {
  const proxyUrl = await proxy.start();
  h = await startPaymentsHarness({ PSP_SANDBOX_URL: proxyUrl });
  proxy.target = h.sandboxUrl;
  shop = await h.testMerchant('Slow Link Shop');
});
afterAll(async () => {
  await h?.close();
  await proxy.close();
});

describe('a confirm whose PSP answer never arrived', () => {
  it('is retried with the same PSP keys: the sandbox replays its answer, Handoff records SUCCEEDED, one charge', async () => {
    const created = await h.call(service, CREATE, {
      input: { checkoutSessionId: newId('cs'), merchantId: shop.id, amountMinor: 1000, currency: 'gbp', captureMode: 'AUTOMATIC' },
    });
    expect(created.errors).toBeUndefined();
    const pi = created.data!.createPaymentIntentForCheckout;
    // The sandbox's webhook to this merchant is off (its endpoint takes no events): only the retry can record the payment.
    await h.sandbox.dataSource.query(`UPDATE sandbox.accounts SET enabled_events = '{}' WHERE merchant_id = $1`, [shop.id]);

    const as = asMerchant(shop.id);
    const vars = { id: pi.id, pm: { testCard: '4242 4242 4242 4242' }, key: newId('client-key') };
    const confirmPath = `/v1/payment_intents/${pi.providerPaymentId}/confirm`;
    proxy.dropAfterAnswer = new RegExp(`^${confirmPath}$`);
    const lost = await h.call(as, CONFIRM, vars);
    // A PSP that did not answer is no verdict: the caller is told to retry.
    expect(lost.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    // The PSP charged; Handoff's transaction rolled back.
    const confirms = () => proxy.seen.filter((s) => s.method === 'POST' && s.path === confirmPath);
    expect(confirms()).toEqual([{ method: 'POST', path: confirmPath, status: 200, replayed: false, dropped: true }]);
    const sandboxPayment = async () =>
      (await h.sandbox.dataSource.query(`SELECT status, amount_received_minor::int AS received, charge_id FROM sandbox.payments WHERE id = $1`, [pi.providerPaymentId])) as Array<{
        status: string;
        received: number;
        charge_id: string | null;
      }>;
    const [charged] = await sandboxPayment();
    expect(charged).toMatchObject({ status: 'succeeded', received: 1000 });
    const rolledBack = (await h.call(admin, BY_ID, { id: pi.id })).data!.paymentIntent;
    expect(rolledBack).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', version: pi.version, amountCaptured: { amountMinor: 0 } });

    // The client's retry: the same command, the same key.
    const retried = await h.call(as, CONFIRM, vars);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 1000 }, lastPaymentError: null });
    expect(confirms()).toHaveLength(2);
    expect(confirms()[1]).toMatchObject({ status: 200, replayed: true, dropped: false });

    // One payment and one charge at the sandbox, for the one confirm key it stored.
    const payments = (await h.sandbox.dataSource.query(`SELECT id, charge_id FROM sandbox.payments WHERE merchant_id = $1`, [shop.id])) as Array<{ id: string; charge_id: string }>;
    expect(payments).toEqual([{ id: pi.providerPaymentId, charge_id: charged!.charge_id }]);
    expect(await sandboxPayment()).toEqual([charged]);
    const keys = (await h.sandbox.dataSource.query(`SELECT key, response_status FROM sandbox.idempotency_keys WHERE merchant_id = $1 AND key LIKE 'handoff-confirm-%'`, [shop.id])) as unknown[];
    expect(keys).toEqual([expect.objectContaining({ response_status: 200 })]);
    // No webhook was queued: the retry recorded it.
    const webhooks = await h.sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.outbox WHERE aggregate_id = $1 AND topic LIKE 'sandbox_webhook.%'`, [pi.providerPaymentId]);
    expect(webhooks).toEqual([{ n: 0 }]);

    // Handoff's records agree with the PSP's: SUCCEEDED, captured once, one succeeded event.
    const after = (await h.call(admin, BY_ID, { id: pi.id })).data!.paymentIntent;
    expect(after).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: Number(charged!.received) } });
    expect(after.events.filter((e: { type: string }) => e.type === 'payment_intent.succeeded')).toHaveLength(1);
    const outbox = await h.payments.dataSource.query(`SELECT count(*)::int AS n FROM payment.outbox WHERE aggregate_id = $1 AND topic = 'payment_intent.succeeded'`, [pi.id]);
    expect(outbox).toEqual([{ n: 1 }]);
  });
});
