// Payment intents end to end inside the subgraph: created by the internal call, confirmed with
// every sandbox test card, 3-D Secure, capture, refunds, tenancy; the sandbox's real signed
// webhooks come back through the gateway route and converge; the outbox carries exactly one
// psp_event per PSP event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxRefundId } from '@handoff/psp-sandbox';
import { createLogger } from '@handoff/shared';
import { PaymentProvider } from '../src/payment-intent/payment-intent.enums.js';
import { PspRequestRejected } from '../src/psp/connector.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { pspRefundKey } from '../src/refund/refund.service.js';
import { admin, asClient, asMerchant, newId, service, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const PI_FIELDS = `id status captureMode provider providerPaymentId metadata version
  amount { amountMinor currency } amountCaptured { amountMinor } amountRefunded { amountMinor }
  nextAction { type url } lastPaymentError { code declineCode message }
  events { type at data } refunds { id amount { amountMinor } status providerRefundId }`;
const CREATE = `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { ${PI_FIELDS} } }`;
const CONFIRM = `mutation($id: ID!, $pm: PaymentMethodInput!) { confirmPaymentIntent(id: $id, paymentMethod: $pm) { ${PI_FIELDS} } }`;
const THREE_DS = `mutation($id: ID!, $ok: Boolean!) { completeThreeDSecure(id: $id, approved: $ok) { ${PI_FIELDS} } }`;
const CAPTURE = `mutation($id: ID!, $amount: SafeInt) { capturePaymentIntent(id: $id, amountMinor: $amount) { ${PI_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelPaymentIntent(id: $id) { ${PI_FIELDS} } }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt, $key: String) { refundPaymentIntent(id: $id, amountMinor: $amount, reason: "customer", idempotencyKey: $key) { id status amount { amountMinor } } }`;
const BY_ID = `query($id: ID!) { paymentIntent(id: $id) { ${PI_FIELDS} } }`;

let h: PaymentsHarness;
let shop: { id: string; webhookSecret: string };
let other: { id: string; webhookSecret: string };

beforeAll(async () => {
  h = await startPaymentsHarness();
  shop = await h.testMerchant('Shop');
  other = await h.testMerchant('Other');
});
afterAll(async () => h?.close());

async function createIntent(opts: { merchantId?: string; amountMinor?: number; captureMode?: string; session?: string } = {}) {
  const checkoutSessionId = opts.session ?? newId('cs');
  const res = await h.call(service, CREATE, {
    input: {
      checkoutSessionId,
      merchantId: opts.merchantId ?? shop.id,
      amountMinor: opts.amountMinor ?? 1000,
      currency: 'gbp',
      captureMode: opts.captureMode ?? 'AUTOMATIC',
      metadata: { aap_code: 'aap://test/code', aap_recommendation_id: 'rec_1' },
      description: 'Test order',
    },
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return { ...res.data!.createPaymentIntentForCheckout, checkoutSessionId };
}

const outbox = async (aggregateId: string, prefix: string) =>
  (await h.payments.dataSource.query(`SELECT topic, payload FROM payment.outbox WHERE aggregate_id = $1 AND topic LIKE $2 ORDER BY id`, [aggregateId, `${prefix}%`])) as Array<{
    topic: string;
    payload: any;
  }>;
/** The sandbox's own outbox (its webhook deliveries), in its schema. */
const sandboxOutbox = async (aggregateId: string, prefix: string) =>
  (await h.sandbox.dataSource.query(`SELECT topic, payload FROM sandbox.outbox WHERE aggregate_id = $1 AND topic LIKE $2 ORDER BY id`, [aggregateId, `${prefix}%`])) as Array<{
    topic: string;
    payload: any;
  }>;
const read = async (id: string) => (await h.call(admin, BY_ID, { id })).data!.paymentIntent;

describe('createPaymentIntentForCheckout', () => {
  it('creates at the sandbox, once per checkout session, even concurrently', async () => {
    const session = newId('cs');
    const results = await Promise.all(Array.from({ length: 5 }, () => createIntent({ session })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const pi = results[0]!;
    expect(pi).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', provider: 'TEST', amount: { amountMinor: 1000, currency: 'GBP' } });
    expect(pi.providerPaymentId).toMatch(/^pi_sbx_[0-9a-f]{24}$/);
    expect(pi.metadata).toMatchObject({ aap_code: 'aap://test/code', handoff_checkout_session_id: session });
    expect((await outbox(pi.id, 'payment_intent.')).map((r) => r.topic)).toEqual(['payment_intent.created']);
    // The sandbox's endpoint is subscribed to the handled types only: nothing to deliver for a creation.
    expect(await sandboxOutbox(pi.providerPaymentId, 'sandbox_webhook.')).toEqual([]);
  });

  it('the sandbox answers a reused idempotency key with its payment, and refuses it with other terms', async () => {
    // payment-intent's adapter, over the sandbox's HTTP API with the shop's own key.
    const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey });
    const noCredentials = { get: async () => null, forget: () => undefined, revalidate: async () => null };
    const accounts = new SandboxAccounts(client, h.gatewayUrl, noCredentials, createLogger('test', 'silent'));
    const sandbox = new SandboxPsp(client, accounts).for({ merchantId: shop.id, provider: PaymentProvider.TEST, secretKey: null, webhookSecret: shop.webhookSecret });
    const manager = h.payments.dataSource.manager;
    const req = { merchantId: shop.id, amountMinor: 700, currency: 'GBP', captureMode: 'AUTOMATIC' as const, metadata: {}, description: null, idempotencyKey: newId('key') };
    const first = await sandbox.createPayment({ manager }, req);
    const again = await sandbox.createPayment({ manager }, req);
    expect(again).toEqual(first);
    const rows = await h.sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.payments WHERE id = $1`, [first.providerPaymentId]);
    expect(rows).toEqual([{ n: 1 }]);
    const err = await sandbox.createPayment({ manager }, { ...req, amountMinor: 701 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PspRequestRejected);
    expect((err as PspRequestRejected).code).toBe('idempotency_error');
  });

  it('is SERVICE only, and refuses merchants without a connector or a PSP refusal', async () => {
    const input = { checkoutSessionId: newId('cs'), merchantId: shop.id, amountMinor: 100, currency: 'GBP' };
    expect((await h.call(admin, CREATE, { input })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bare = await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Bare", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`);
    const res = await h.call(service, CREATE, { input: { ...input, merchantId: bare.data!.createMerchant.id } });
    expect(res.errors?.[0]?.extensions?.code).toBe('MERCHANT_NO_PAYMENT_CONNECTOR');
    const tooLong = await h.call(service, CREATE, { input: { ...input, metadata: { note: 'x'.repeat(501) } } });
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('CHECKOUT_CREATE_FAILED');
  });
});

describe('confirming with the sandbox test cards', () => {
  it('4242 succeeds; the webhook converges and gives the ledger one psp_event', async () => {
    const pi = await createIntent();
    const res = await h.call(asMerchant(shop.id), CONFIRM, { id: pi.id, pm: { testCard: '4242 4242 4242 4242' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 1000 }, lastPaymentError: null });
    const psp = await waitFor(async () => {
      const rows = await outbox(pi.id, 'psp_event.succeeded');
      return rows.length ? rows : undefined;
    }, 10_000, 'psp_event.succeeded');
    expect(psp).toHaveLength(1);
    expect(psp[0]!.payload).toMatchObject({
      provider: 'TEST',
      merchantId: shop.id,
      pspEvent: { type: 'payment_intent.succeeded' },
      object: { id: pi.providerPaymentId, amount: 1000, currency: 'GBP', status: 'succeeded', metadata: { aap_code: 'aap://test/code' } },
      paymentIntent: { id: pi.id, status: 'SUCCEEDED' },
    });
    const after = await read(pi.id);
    expect(after.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['payment_intent.created', 'payment_intent.succeeded', 'psp.payment_intent.succeeded']));
    expect((await sandboxOutbox(pi.providerPaymentId, 'sandbox_webhook.')).map((r) => r.topic)).toEqual(['sandbox_webhook.payment_intent.succeeded']);
    // No card number anywhere in the tables.
    const leaks = await h.payments.dataSource.query(
      `SELECT (SELECT count(*) FROM payment.payment_events WHERE data::text LIKE '%4242424242424242%')
            + (SELECT count(*) FROM payment.outbox WHERE payload::text LIKE '%4242424242424242%')
            + (SELECT count(*) FROM payment.webhook_inbox WHERE body::text LIKE '%4242424242424242%')
            + (SELECT count(*) FROM payment.payment_intents WHERE row_to_json(payment_intents)::text LIKE '%4242424242424242%') AS n`,
    );
    // …nor in the sandbox's (its own database).
    const sandboxLeaks = await h.sandbox.dataSource.query(
      `SELECT (SELECT count(*) FROM sandbox.payment_methods WHERE row_to_json(payment_methods)::text LIKE '%4242424242424242%')
            + (SELECT count(*) FROM sandbox.outbox WHERE payload::text LIKE '%4242424242424242%') AS n`,
    );
    expect(Number(leaks[0].n) + Number(sandboxLeaks[0].n)).toBe(0);
  });

  it.each([
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
  ])('%s is declined (%s): PAYMENT_DECLINED, recorded, and a new card may follow', async (card, declineCode) => {
    const pi = await createIntent();
    const res = await h.call(asClient(pi.checkoutSessionId), CONFIRM, { id: pi.id, pm: { testCard: card } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', reason: `payment_declined:${declineCode}` });
    const after = await read(pi.id);
    expect(after).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', lastPaymentError: { code: 'card_declined', declineCode } });
    expect((await outbox(pi.id, 'payment_intent.payment_failed')).length).toBe(1);
    const retry = await h.call(asClient(pi.checkoutSessionId), CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } });
    expect(retry.data!.confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', lastPaymentError: null });
  });

  it('3184 needs 3-D Secure: approved succeeds, failed goes back with an error', async () => {
    const ok = await createIntent();
    const r1 = await h.call(asClient(ok.checkoutSessionId), CONFIRM, { id: ok.id, pm: { testCard: '4000002760003184' } });
    expect(r1.data!.confirmPaymentIntent).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: { type: 'three_d_secure' } });
    const r2 = await h.call(asClient(ok.checkoutSessionId), THREE_DS, { id: ok.id, ok: true });
    expect(r2.data!.completeThreeDSecure).toMatchObject({ status: 'SUCCEEDED', nextAction: null });

    const ko = await createIntent();
    await h.call(asClient(ko.checkoutSessionId), CONFIRM, { id: ko.id, pm: { testCard: '4000002760003184' } });
    const r3 = await h.call(asClient(ko.checkoutSessionId), THREE_DS, { id: ko.id, ok: false });
    expect(r3.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', reason: 'payment_declined:authentication_failed' });
    expect(await read(ko.id)).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', nextAction: null, lastPaymentError: { code: 'payment_intent_authentication_failure' } });
    const again = await h.call(asClient(ko.checkoutSessionId), THREE_DS, { id: ko.id, ok: true });
    expect(again.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
  });

  it('0077 goes PROCESSING, then SUCCEEDED by the sandbox webhook alone', async () => {
    const pi = await createIntent();
    const res = await h.call(asMerchant(shop.id), CONFIRM, { id: pi.id, pm: { testCard: '4000000000000077' } });
    expect(res.data!.confirmPaymentIntent.status).toBe('PROCESSING');
    const done = await waitFor(async () => {
      const p = await read(pi.id);
      return p.status === 'SUCCEEDED' ? p : undefined;
    }, 15_000, 'SUCCEEDED by webhook');
    expect(done.amountCaptured.amountMinor).toBe(1000);
  });

  it('only the intent’s merchant or its session’s page may confirm', async () => {
    const pi = await createIntent();
    for (const p of [asMerchant(other.id), asClient(newId('cs'))]) {
      const res = await h.call(p, CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('PAYMENT_INTENT_NOT_FOUND');
    }
    expect((await h.call(asMerchant(other.id), BY_ID, { id: pi.id })).data!.paymentIntent).toBeNull();
    const both = await h.call(asMerchant(shop.id), CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242', token: 'pm_x' } });
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCard = await h.call(asMerchant(shop.id), CONFIRM, { id: pi.id, pm: { testCard: '1234567812345678' } });
    expect(badCard.errors?.[0]?.message).not.toContain('1234567812345678');
  });
});

describe('capture, cancel and refunds', () => {
  it('MANUAL: authorize, capture part (the rest is released), refund partly several times, never above captured', async () => {
    const pi = await createIntent({ captureMode: 'MANUAL' });
    const m = asMerchant(shop.id);
    expect((await h.call(m, CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } })).data!.confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    expect((await h.call(m, CAPTURE, { id: pi.id, amount: 1001 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const captured = (await h.call(m, CAPTURE, { id: pi.id, amount: 600 })).data!.capturePaymentIntent;
    expect(captured).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 600 } });
    expect((await h.call(m, CAPTURE, { id: pi.id, amount: 100 })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');

    expect((await h.call(m, REFUND, { id: pi.id, amount: 601 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const r1 = (await h.call(m, REFUND, { id: pi.id, amount: 200, key: 'refund-1' })).data!.refundPaymentIntent;
    const r1again = (await h.call(m, REFUND, { id: pi.id, amount: 200, key: 'refund-1' })).data!.refundPaymentIntent;
    expect(r1again.id).toBe(r1.id);
    expect((await h.call(m, REFUND, { id: pi.id, amount: 300, key: 'refund-1' })).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await h.call(m, REFUND, { id: pi.id, amount: 400, key: 'refund-2' });
    expect((await h.call(m, REFUND, { id: pi.id, amount: 1 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The sandbox's charge.refunded webhooks arrive too: still 600, never counted twice.
    await waitFor(async () => (await outbox(pi.id, 'psp_event.refunded')).length === 2, 10_000, 'two refund webhooks');
    const after = await read(pi.id);
    expect(after.amountRefunded.amountMinor).toBe(600);
    expect(after.refunds.map((r: { amount: { amountMinor: number } }) => r.amount.amountMinor)).toEqual([200, 400]);
  });

  it('full refund by default; cancel of an unpaid intent; nothing after', async () => {
    const pi = await createIntent();
    const m = asMerchant(shop.id);
    await h.call(m, CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } });
    expect((await h.call(m, REFUND, { id: pi.id })).data!.refundPaymentIntent.amount.amountMinor).toBe(1000);
    expect((await h.call(m, CANCEL, { id: pi.id })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    const unpaid = await createIntent();
    expect((await h.call(m, CANCEL, { id: unpaid.id })).data!.cancelPaymentIntent.status).toBe('CANCELED');
    expect((await h.call(asClient(unpaid.checkoutSessionId), CANCEL, { id: unpaid.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('cancelPaymentIntentsForCheckout cancels the unpaid intent of a session', async () => {
    const pi = await createIntent();
    const res = await h.call(service, `mutation($cs: ID!) { cancelPaymentIntentsForCheckout(checkoutSessionId: $cs) }`, { cs: pi.checkoutSessionId });
    expect(res.data!.cancelPaymentIntentsForCheckout).toBe(1);
    expect((await read(pi.id)).status).toBe('CANCELED');
  });
});

describe('sandbox admin triggers', () => {
  it('a refund and a dispute at the PSP reach the intent and the ledger by webhook', async () => {
    const pi = await createIntent();
    await h.call(asMerchant(shop.id), CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } });
    const refund = await h.call(admin, `mutation($id: ID!) { sandboxTriggerRefund(paymentIntentId: $id, amountMinor: 250) { refundId } }`, { id: pi.id });
    expect(refund.data!.sandboxTriggerRefund.refundId).toMatch(/^re_sbx_/);
    await waitFor(async () => (await read(pi.id)).amountRefunded.amountMinor === 250, 10_000, 'PSP refund recorded');
    const dispute = await h.call(admin, `mutation($id: ID!) { sandboxTriggerDispute(paymentIntentId: $id, outcome: LOST) { eventIds } }`, { id: pi.id });
    expect(dispute.data!.sandboxTriggerDispute.eventIds).toHaveLength(2);
    const closed = await waitFor(async () => (await outbox(pi.id, 'psp_event.dispute_closed'))[0], 10_000, 'dispute closed');
    expect(closed.payload.object.dispute).toMatchObject({ status: 'lost', outcome: 'lost' });
    expect((await outbox(pi.id, 'psp_event.dispute_opened')).length).toBe(1);
    expect((await h.call(asMerchant(shop.id), `mutation($id: ID!) { sandboxTriggerRefund(paymentIntentId: $id) { refundId } }`, { id: pi.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('sandbox refunds', () => {
  it('are idempotent per key like Stripe’s: one refund id per (payment, key), made once, a changed amount refused', async () => {
    const pi = await createIntent();
    const m = asMerchant(shop.id);
    await h.call(m, CONFIRM, { id: pi.id, pm: { testCard: '4242424242424242' } });
    const first = (await h.call(m, REFUND, { id: pi.id, amount: 200, key: 'same-key' })).data!.refundPaymentIntent;
    const row = (await h.payments.dataSource.query(`SELECT provider_refund_id FROM payment.refunds WHERE id = $1`, [first.id]))[0];
    expect(row.provider_refund_id).toBe(sandboxRefundId(pi.providerPaymentId, pspRefundKey(pi.id, 'same-key', first.id)));
    // Another caller with the same key (its own idempotency scope) reaches the sandbox with the same
    // PSP key: the sandbox answers its first refund, and Handoff returns that refund, not a second.
    const again = await h.call(admin, REFUND, { id: pi.id, amount: 200, key: 'same-key' });
    expect(again.data!.refundPaymentIntent.id).toBe(first.id);
    const sandbox = async () =>
      (await h.sandbox.dataSource.query(
        `SELECT p.amount_refunded_minor AS refunded, (SELECT count(*) FROM sandbox.refunds r WHERE r.payment_id = p.id) AS n FROM sandbox.payments p WHERE p.id = $1`,
        [pi.providerPaymentId],
      ))[0];
    expect(await sandbox()).toMatchObject({ refunded: '200', n: '1' });
    expect((await read(pi.id)).amountRefunded.amountMinor).toBe(200);
    // A third caller, same key, another amount: the sandbox refuses it, as Stripe does.
    const changed = await h.call(service, REFUND, { id: pi.id, amount: 300, key: 'same-key' });
    expect(changed.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
    expect(changed.errors?.[0]?.message).toContain('Idempotency key reused');
    expect(await sandbox()).toMatchObject({ refunded: '200', n: '1' });
    expect((await outbox(pi.id, 'psp_event.refunded')).length).toBeLessThanOrEqual(1);
  });
});

