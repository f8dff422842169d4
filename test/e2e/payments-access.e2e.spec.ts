// Who may see and move a payment, through the gateway over HTTP: the hosted page's client secret
// (`Authorization: Bearer <client secret>`, principal CLIENT) confirms its own session's intent and
// nothing else; an agent reads the payments of the checkouts it created, and no other; an
// operator lists the payment package's failed jobs and replays one (admin only). Typed operations
// from test/operations/*.graphql.
import { clientSecretFor } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import {
  CheckoutDocument,
  CheckoutSessionPaymentDocument,
  ConfirmWithTestCardDocument,
  ConnectPaymentProcessorDocument,
  CreateApiKeyDocument,
  CreateCheckoutSessionDocument,
  CreateMerchantDocument,
  CreateOfferDocument,
  FailedPaymentJobsDocument,
  PaymentIntentByIdDocument,
  RecommendDocument,
  RefundPaymentDocument,
  RegisterAgentDocument,
  ReplayFailedPaymentJobDocument,
  SandboxRefundDocument,
  StartAgentSessionDocument,
} from '../generated/graphql.js';

let handoff: RunningHandoff;
let anon: GqlClient;
let admin: GqlClient;
let merchant: GqlClient;
let merchantId: string;
let offerId: string;

async function newMerchant(name: string) {
  const id = (
    await admin.ok(CreateMerchantDocument, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id;
  await admin.ok(ConnectPaymentProcessorDocument, { merchantId: id, input: { provider: 'TEST' } });
  const key = (await admin.ok(CreateApiKeyDocument, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key;
  return { id, client: anon.as(key) };
}

/** A merchant checkout session: its id, its client secret (from its URL) and its payment intent. */
async function hostedSession() {
  const s = (
    await merchant.ok(CreateCheckoutSessionDocument, {
      input: {
        lineItems: [{ name: 'Plan', unitAmount: { amountMinor: 1500, currency: 'GBP' }, quantity: 1 }],
        successUrl: 'https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://shop.example/cart',
      },
    })
  ).createCheckoutSession;
  return { id: s.id, secret: new URL(s.url).searchParams.get('cs')!, intentId: s.paymentIntentId! };
}

beforeAll(async () => {
  handoff = await startTestHandoff({ extraEnv: { PSP_CREDENTIALS_CACHE_MS: '0' } });
  anon = new GqlClient(handoff.graphqlUrl);
  admin = anon.as(handoff.adminKey);
  const m = await newMerchant('Access Ltd');
  merchantId = m.id;
  merchant = m.client;
  offerId = (await admin.ok(CreateOfferDocument, { input: { merchantId, name: 'Plan', price: { amountMinor: 1999, currency: 'GBP' } } })).createOffer.id;
});
afterAll(async () => handoff?.stop());

describe('the hosted page’s client secret on /graphql', () => {
  it('confirms its own session’s intent, and sees and moves nothing else', async () => {
    const mine = await hostedSession();
    const theirs = await hostedSession();
    expect(mine.intentId).toBeTruthy();
    const page = anon.as(mine.secret);
    // The secret reads what the hosted page reads (issue 16: no longer the intent by id, nor its
    // providerPaymentId, captured/refunded amounts or checkout session: those are refused).
    const PAGE_SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status paymentIntent { id status } } }`;
    const PAGE_CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;

    expect((await page.ok(PAGE_SESSION, { id: mine.id })).checkoutSession).toMatchObject({ id: mine.id, paymentIntent: { id: mine.intentId, status: 'REQUIRES_PAYMENT_METHOD' } });
    expect(await page.errorCode(PaymentIntentByIdDocument, { id: mine.intentId })).toBe('FORBIDDEN');
    expect(await page.errorCode(CheckoutSessionPaymentDocument, { id: mine.id })).toBe('FORBIDDEN');

    // Another session and its intent: invisible, and the intent cannot be confirmed.
    expect((await page.ok(PAGE_SESSION, { id: theirs.id })).checkoutSession).toBeNull();
    expect(await page.errorCode(PAGE_CONFIRM, { id: theirs.intentId, card: '4242424242424242' })).toBe('PAYMENT_INTENT_NOT_FOUND');
    expect((await merchant.ok(PaymentIntentByIdDocument, { id: theirs.intentId })).paymentIntent?.status).toBe('REQUIRES_PAYMENT_METHOD');

    // Its own: confirmed; but a refund is the merchant's, never the page's.
    expect((await page.ok(PAGE_CONFIRM, { id: mine.intentId, card: '4242424242424242' })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    expect(await page.errorCode(RefundPaymentDocument, { id: mine.intentId })).toBe('FORBIDDEN');
    await expect.poll(async () => (await merchant.ok(CheckoutSessionPaymentDocument, { id: mine.id })).checkoutSession?.status, { timeout: 15_000 }).toBe('COMPLETE');
  });

  it('a secret that is forged, altered or made with another internal secret → 401 UNAUTHENTICATED', async () => {
    const s = await hostedSession();
    const bad = [clientSecretFor(s.id, 'x'.repeat(48)), s.secret.slice(0, -1) + (s.secret.endsWith('A') ? 'B' : 'A'), s.secret.replace(s.id, `${s.id}x`)];
    for (const secret of bad) {
      const res = await anon.as(secret).request(PaymentIntentByIdDocument, { id: s.intentId });
      expect(res.status, secret).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('an agent', () => {
  it('reads the payments of the checkouts it created, and no other', async () => {
    const agentKey = async (name: string) => {
      const agentId = (await admin.ok(RegisterAgentDocument, { input: { name } })).registerAgent.id;
      return anon.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    };
    const agent = await agentKey('Buyer bot');
    const other = await agentKey('Other bot');
    const sessionId = (await agent.ok(StartAgentSessionDocument, {})).startAgentSession.id;
    const recommendationId = (await agent.ok(RecommendDocument, { input: { sessionId, offerId } })).recommend.id;
    const out = (await agent.ok(CheckoutDocument, { input: { sessionId, recommendationId } })).checkout;
    await merchant.ok(ConfirmWithTestCardDocument, { id: out.paymentId, card: '4242424242424242' });

    expect((await agent.ok(PaymentIntentByIdDocument, { id: out.paymentId })).paymentIntent).toMatchObject({ id: out.paymentId, status: 'SUCCEEDED', amount: { amountMinor: 1999 } });
    expect((await agent.ok(CheckoutSessionPaymentDocument, { id: out.transactionId })).checkoutSession?.paymentIntent?.status).toBe('SUCCEEDED');
    expect((await other.ok(PaymentIntentByIdDocument, { id: out.paymentId })).paymentIntent).toBeNull();
    // A merchant's own hosted session was not the agent's.
    const hosted = await hostedSession();
    expect((await agent.ok(PaymentIntentByIdDocument, { id: hosted.intentId })).paymentIntent).toBeNull();
    // Reading is all: an agent moves no money.
    expect(await agent.errorCode(RefundPaymentDocument, { id: out.paymentId })).toBe('FORBIDDEN');
  });
});

describe('failed payment jobs', () => {
  it('an admin lists a failed job and replays it once its cause is fixed; others may not', async () => {
    const leaver = await newMerchant('Leaver Ltd');
    const s = (
      await leaver.client.ok(CreateCheckoutSessionDocument, {
        input: { lineItems: [{ name: 'Plan', unitAmount: { amountMinor: 500, currency: 'GBP' }, quantity: 1 }], successUrl: 'https://l.example/ok', cancelUrl: 'https://l.example/no' },
      })
    ).createCheckoutSession;
    const intentId = s.paymentIntentId!;
    await leaver.client.ok(ConfirmWithTestCardDocument, { id: intentId, card: '4242424242424242' });
    // The merchant leaves the sandbox: the sandbox's next webhook cannot be delivered and fails for good.
    await admin.ok(ConnectPaymentProcessorDocument, { merchantId: leaver.id, input: { provider: 'STRIPE', secretKey: 'sk_test_leaver00000000000' } });
    await admin.ok(SandboxRefundDocument, { paymentIntentId: intentId, amountMinor: 100 });
    let failed: { id: string; name: string; queue: string; failedReason: string; data: unknown } | undefined;
    await expect
      .poll(
        async () => {
          const jobs = (await admin.ok(FailedPaymentJobsDocument, { queue: 'sandbox-webhook-delivery', first: 100 })).failedPaymentJobs;
          // The refund's delivery (the confirmation's own webhooks may have failed too, on a slow run).
          failed = jobs.find((j) => j.name === 'sandbox_webhook.charge.refunded' && (j.data as { payload?: { merchantId?: string } }).payload?.merchantId === leaver.id);
          return failed;
        },
        { timeout: 20_000 },
      )
      .toBeTruthy();
    expect(failed!.failedReason).toContain('no TEST connector');
    // Listed by ids and topic only: never the webhook's body (buyers' metadata, amounts).
    expect(JSON.stringify(failed!.data)).not.toMatch(/"body"|charge\.refunded","data"/);
    expect(await merchant.errorCode(FailedPaymentJobsDocument, {})).toBe('FORBIDDEN');
    expect(await merchant.errorCode(ReplayFailedPaymentJobDocument, { queue: 'sandbox-webhook-delivery', jobId: failed!.id })).toBe('FORBIDDEN');
    expect(await admin.errorCode(ReplayFailedPaymentJobDocument, { queue: 'no-such-queue', jobId: failed!.id })).toBe('BAD_USER_INPUT');
    expect((await admin.ok(ReplayFailedPaymentJobDocument, { queue: 'sandbox-webhook-delivery', jobId: 'no-such-job' })).replayFailedPaymentJob).toBe(false);

    // Back on the sandbox, the replayed delivery lands and the refund reaches the intent.
    await admin.ok(ConnectPaymentProcessorDocument, { merchantId: leaver.id, input: { provider: 'TEST' } });
    expect((await admin.ok(ReplayFailedPaymentJobDocument, { queue: 'sandbox-webhook-delivery', jobId: failed!.id })).replayFailedPaymentJob).toBe(true);
    await expect.poll(async () => (await admin.ok(PaymentIntentByIdDocument, { id: intentId })).paymentIntent?.amountRefunded.amountMinor, { timeout: 20_000 }).toBe(100);
    const still = (await admin.ok(FailedPaymentJobsDocument, { queue: 'sandbox-webhook-delivery', first: 100 })).failedPaymentJobs;
    expect(still.some((j) => j.id === failed!.id)).toBe(false);
  });
});
