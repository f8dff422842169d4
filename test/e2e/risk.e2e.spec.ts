// Risk through the gateway (issue 19 items 2 and 3, seed 003 §9-10): a merchant's rules run
// before every confirmation. A block-listed email is refused FRAUD_BLOCKED and nothing is charged
// at the PSP; the third payment from one email within the velocity window is blocked; an amount
// over the threshold is challenged (3-D Secure forced, then paid once approved); a larger one is
// authorized and held in the manual review queue, then approved (captured: the checkout
// completes) or rejected (voided). The dry-run score answers 0-100 with reasons and pays nothing.
// Over REST: the score, the rules and the review routes; a fraud provider's decision signed with
// the merchant's secret sends a session to review (a bad signature writes nothing, a replay does
// nothing twice); seed 003's PSP webhook path ingests like /webhooks/:provider/:merchantId; and a
// merchant requiring KYC above an amount refuses such a payment until the KYC provider's signed
// callback verified the buyer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { signatureHeader } from '@handoff/shared';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`;
const ROLL_SECRET = `mutation { rollFraudWebhookSecret }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_RULES = `mutation($m: ID, $input: RiskRulesInput!) { setRiskRules(merchantId: $m, input: $input) { version rules { id type action } } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status captureMode nextAction { type } } }`;
const THREE_DS = `mutation($id: ID!) { completeThreeDSecure(id: $id, approved: true) { id status } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id status captureMode providerPaymentId amountCaptured { amountMinor }
  lastPaymentError { code } risk { source score action ruleIds reasons { ruleId code message points action } } } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status } }`;
const SCORE = `mutation($id: ID!) { scoreCheckoutRisk(checkoutSessionId: $id) { source score action ruleIds reasons { code } } }`;
const REVIEWS = `query($status: ManualReviewStatus) { manualReviews(status: $status, first: 100) { edges { node { id status checkoutSessionId paymentIntentId reason assignee
  decidedBy assessment { action ruleIds } } } } }`;
const APPROVE = `mutation($id: ID!) { approveManualReview(checkoutSessionId: $id, note: "looks fine") { status decidedBy note } }`;
const REJECT = `mutation($id: ID!) { rejectManualReview(checkoutSessionId: $id) { status } }`;

const GOOD = '4242424242424242';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;
type Shop = { id: string; key: string; client: GqlClient; pspWebhookSecret: string };
let shop: Shop;

async function newShop(name: string): Promise<Shop> {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  const pspWebhookSecret = (await admin.ok(CONNECT, { m: id })).connectPaymentProcessor.webhookSecret as string;
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, client: admin.as(key), pspWebhookSecret };
}

const session = (amountMinor: number, customerEmail?: string, owner: Shop = shop): Promise<{ id: string; paymentIntentId: string }> =>
  owner.client.ok(CREATE, { input: { lineItems: [{ name: 'Lamp', unitAmount: gbp(amountMinor), quantity: 1 }], ...(customerEmail ? { customerEmail } : {}) } }).then((d) => d.createCheckoutSession);

const intent = async (id: string, owner: Shop = shop) => (await owner.client.ok(INTENT, { id })).paymentIntent;

/** A REST call through the gateway: its status and JSON body. */
async function rest(method: string, path: string, opts: { key?: string; body?: string | object; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body,
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`${method} ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
}

/** The merchant's failed checkouts with a reason (seed 003 §15's list). */
const failedWith = async (reason: string) => (await rest('GET', `/v1/checkout/failures?limit=100&reason=${reason}`, { key: shop.key })).body.data as any[];

const pendingReviewOf = async (sessionId: string, owner: Shop = shop) =>
  (await owner.client.ok(REVIEWS, { status: 'PENDING' })).manualReviews.edges.map((e: any) => e.node).filter((n: any) => n.checkoutSessionId === sessionId);

/** The sandbox PSP's own record of a payment (its operator dashboard). */
async function atPsp(providerPaymentId: string): Promise<{ status: string; amount_received: number; capture_method: string }> {
  const res = await fetch(`${handoff.sandboxUrl}/v1/dashboard/payment_intents/${providerPaymentId}`, { headers: { authorization: `Bearer ${handoff.env.PSP_SANDBOX_ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await newShop('Risky Goods Ltd');
  const set = await shop.client.ok(SET_RULES, {
    input: {
      rules: [
        { id: 'blocked-emails', type: 'BLOCK_LIST', signal: 'EMAIL', values: ['Blocked@Risk.test'] },
        { id: 'email-velocity', type: 'VELOCITY', signal: 'EMAIL', windowSeconds: 3600, maxPayments: 2, action: 'BLOCK' },
        { id: 'big-amounts', type: 'AMOUNT_ABOVE', amount: gbp(10_000), action: 'CHALLENGE', score: 30 },
        { id: 'huge-amounts', type: 'AMOUNT_ABOVE', amount: gbp(50_000), action: 'REVIEW', score: 30 },
        // With no history a ratio rule is no signal (never a division by zero).
        { id: 'card-declines', type: 'DECLINE_RATIO', signal: 'CARD_FINGERPRINT', windowSeconds: 3600, maxRatioBps: 5000, minAttempts: 3, action: 'BLOCK' },
      ],
    },
  });
  expect(set.setRiskRules.version).toBe(1);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('risk rules at confirmation', () => {
  it('a block-listed email is refused FRAUD_BLOCKED, recorded on the intent, and nothing is charged at the PSP', async () => {
    const s = await session(2000, 'blocked@risk.test');
    const r = await shop.client.request(CONFIRM, { id: s.paymentIntentId, card: GOOD });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FRAUD_BLOCKED', reason: 'fraud_block' });
    const pi = await intent(s.paymentIntentId);
    expect(pi).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', lastPaymentError: { code: 'fraud_block' }, amountCaptured: { amountMinor: 0 } });
    expect(pi.risk).toMatchObject({ source: 'CONFIRM', action: 'BLOCK', ruleIds: ['blocked-emails'] });
    expect(pi.risk.reasons[0]).toMatchObject({ ruleId: 'blocked-emails', code: 'block_list:email', action: 'BLOCK' });
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
    // The checkout is listed as failed with reason fraud_block (from the payment_intent.payment_failed event).
    await expect.poll(async () => (await failedWith('fraud_block')).find((f: any) => f.checkout_id === s.id), { timeout: 15_000 }).toMatchObject({ category: 'fraud_block' });
  });

  it('two payments from one email pass; the third within the window is blocked by the velocity rule', async () => {
    const email = `repeat-${Date.now()}@risk.test`;
    for (let i = 0; i < 2; i++) {
      const s = await session(1500, email);
      expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
      expect((await intent(s.paymentIntentId)).risk).toMatchObject({ action: 'ALLOW', score: 0, ruleIds: [] });
    }
    const third = await session(1500, email.toUpperCase());
    expect((await shop.client.request(CONFIRM, { id: third.paymentIntentId, card: GOOD })).errors?.[0]?.extensions?.code).toBe('FRAUD_BLOCKED');
    const pi = await intent(third.paymentIntentId);
    expect(pi.risk).toMatchObject({ action: 'BLOCK', ruleIds: ['email-velocity'] });
    expect(pi.risk.reasons[0].code).toBe('velocity:email');
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
  });

  it('concurrent confirmations from one email are counted one after the other: exactly maxPayments pass', async () => {
    const email = `race-${Date.now()}@risk.test`;
    const sessions = await Promise.all(Array.from({ length: 6 }, () => session(1200, email)));
    const results = await Promise.all(sessions.map((s) => shop.client.request(CONFIRM, { id: s.paymentIntentId, card: GOOD })));
    const outcomes = results.map((r) => r.errors?.[0]?.extensions?.code ?? r.data?.confirmPaymentIntent?.status).sort();
    expect(outcomes).toEqual(['FRAUD_BLOCKED', 'FRAUD_BLOCKED', 'FRAUD_BLOCKED', 'FRAUD_BLOCKED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('an amount over the threshold is challenged: 3-D Secure is forced at the PSP, and completing it pays', async () => {
    const s = await session(15_000);
    const confirmed = (await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent;
    expect(confirmed).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: { type: 'three_d_secure' } });
    expect((await intent(s.paymentIntentId)).risk).toMatchObject({ action: 'CHALLENGE', score: 30, ruleIds: ['big-amounts'] });
    expect((await shop.client.ok(THREE_DS, { id: s.paymentIntentId })).completeThreeDSecure.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await shop.client.ok(SESSION, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
  });

  it('a review holds the authorized payment in the queue; approving it captures it and completes the checkout', async () => {
    const s = await session(60_000);
    const confirmed = (await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent;
    expect(confirmed).toMatchObject({ status: 'REQUIRES_CAPTURE', captureMode: 'MANUAL' });
    const pi = await intent(s.paymentIntentId);
    expect(pi.risk).toMatchObject({ action: 'REVIEW', score: 60, ruleIds: ['big-amounts', 'huge-amounts'] });
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount_received: 0 });
    const pending = (await shop.client.ok(REVIEWS, { status: 'PENDING' })).manualReviews.edges.map((e: any) => e.node);
    expect(pending.find((n: any) => n.checkoutSessionId === s.id)).toMatchObject({ status: 'PENDING', paymentIntentId: s.paymentIntentId, reason: 'rules', assessment: { action: 'REVIEW' } });
    // The session is not complete while held.
    expect((await shop.client.ok(SESSION, { id: s.id })).checkoutSession.status).toBe('OPEN');

    expect((await shop.client.ok(APPROVE, { id: s.id })).approveManualReview).toMatchObject({ status: 'APPROVED', note: 'looks fine', decidedBy: expect.stringMatching(/^merchant:/) });
    expect(await intent(s.paymentIntentId)).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 60_000 } });
    await expect.poll(async () => (await shop.client.ok(SESSION, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    // Approving again answers the decision; rejecting it now is refused.
    expect((await shop.client.ok(APPROVE, { id: s.id })).approveManualReview.status).toBe('APPROVED');
    expect((await shop.client.request(REJECT, { id: s.id })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
  });

  it('rejecting a review voids the held payment', async () => {
    const s = await session(70_000);
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    expect((await shop.client.ok(REJECT, { id: s.id })).rejectManualReview.status).toBe('REJECTED');
    const pi = await intent(s.paymentIntentId);
    expect(pi).toMatchObject({ status: 'CANCELED', lastPaymentError: { code: 'fraud_block' }, amountCaptured: { amountMinor: 0 } });
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'canceled', amount_received: 0 });
    await expect.poll(async () => (await failedWith('fraud_block')).some((f: any) => f.checkout_id === s.id), { timeout: 15_000 }).toBe(true);
    // Another merchant sees no review of it and cannot decide it.
    const rival = await newShop('Rival Goods Ltd');
    expect((await rival.client.ok(REVIEWS, {})).manualReviews.edges).toEqual([]);
    expect((await rival.client.request(APPROVE, { id: s.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('the dry-run score answers 0-100 with reasons and pays nothing', async () => {
    const s = await session(60_000, 'blocked@risk.test');
    const score = (await shop.client.ok(SCORE, { id: s.id })).scoreCheckoutRisk;
    expect(score).toMatchObject({ source: 'DRY_RUN', action: 'BLOCK', score: 60 });
    expect(score.reasons.map((r: any) => r.code).sort()).toEqual(['amount_above', 'amount_above', 'block_list:email']);
    const pi = await intent(s.paymentIntentId);
    expect(pi.status).toBe('REQUIRES_PAYMENT_METHOD');
    // A dry run is not the intent's assessment.
    expect(pi.risk).toBeNull();
  });
});

describe('REST routes, signed callbacks and KYC', () => {
  it('fraud/score answers 0-100 with reasons and pays nothing; fraud/rules lists the rules; bad input names its field', async () => {
    const s = await session(15_000, 'score@risk.test');
    const scored = await rest('POST', `/v1/checkout/sessions/${s.id}/fraud/score`, { key: shop.key, body: { ip_address: '203.0.113.7', ip_country: 'gb' } });
    expect(scored.status).toBe(200);
    expect(scored.body).toMatchObject({ object: 'risk_assessment', source: 'dry_run', checkout_id: s.id, payment_intent_id: s.paymentIntentId, score: 30, action: 'challenge', rule_ids: ['big-amounts'] });
    expect(scored.body.reasons[0]).toMatchObject({ rule_id: 'big-amounts', code: 'amount_above', points: 30, action: 'challenge' });
    const pi = await intent(s.paymentIntentId);
    expect(pi.status).toBe('REQUIRES_PAYMENT_METHOD');
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });

    expect(await rest('POST', `/v1/checkout/sessions/${s.id}/fraud/score`, { key: shop.key, body: { ip_address: 'nope' } })).toMatchObject({
      status: 400,
      body: { code: 'BAD_USER_INPUT', field: 'ip_address' },
    });
    const rival = await newShop('Scoreless Rival Ltd');
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/fraud/score`, { key: rival.key, body: {} })).status).toBe(404);

    expect((await rest('GET', `/v1/checkout/fraud/rules?merchant_id=${rival.id}`, { key: shop.key })).body).toMatchObject({ code: 'MERCHANT_NOT_FOUND' });
    const rules = await rest('GET', '/v1/checkout/fraud/rules', { key: shop.key });
    expect(rules.status).toBe(200);
    expect(rules.body).toMatchObject({ object: 'fraud_rules', merchant_id: shop.id, version: 1, fraud_webhook_secret_set: false });
    expect(rules.body.data.map((r: any) => r.id)).toEqual(['blocked-emails', 'email-velocity', 'big-amounts', 'huge-amounts', 'card-declines']);
    expect(rules.body.data[0]).toMatchObject({ type: 'block_list', signal: 'email', values: ['blocked@risk.test'], action: 'block' });
    expect(rules.body.data[2]).toMatchObject({ type: 'amount_above', amount: 10_000, currency: 'GBP', action: 'challenge' });
  });

  it('manual review over REST: listed, assigned, rejected', async () => {
    const s = await session(80_000);
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    const listed = await rest('GET', '/v1/checkout/manual-reviews?status=pending&limit=100', { key: shop.key });
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((r: any) => r.checkout_id === s.id)).toMatchObject({ object: 'manual_review', status: 'pending', assessment: { action: 'review' } });
    const assigned = await rest('POST', `/v1/checkout/sessions/${s.id}/manual-review/assign`, { key: shop.key, body: { assignee: 'analyst@risky.test' } });
    expect(assigned).toMatchObject({ status: 200, body: { status: 'pending', assignee: 'analyst@risky.test' } });
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/manual-review/assign`, { key: shop.key, body: {} })).body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'assignee' });
    const rejected = await rest('POST', `/v1/checkout/sessions/${s.id}/manual-review/reject`, { key: shop.key, body: { note: 'stolen card' } });
    expect(rejected).toMatchObject({ status: 200, body: { status: 'rejected', note: 'stolen card' } });
    expect((await intent(s.paymentIntentId)).status).toBe('CANCELED');
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/manual-review/approve`, { key: shop.key, body: {} })).status).toBe(409);
  });

  it('a fraud decision with a bad signature is refused and writes nothing; a signed one sends the session to review, once; a block cancels it', async () => {
    const secret = (await shop.client.ok(ROLL_SECRET)).rollFraudWebhookSecret as string;
    expect(secret).toMatch(/^whsec_/);
    const s = await session(2500, 'provider@risk.test');
    const decision = JSON.stringify({ id: `evt_${s.id}_1`, session_id: s.id, decision: 'review', score: 82, reasons: ['Device seen on 14 cards this week'] });
    const post = (body: string, signature: string, query = `?merchant_id=${shop.id}`) =>
      rest('POST', `/v1/checkout/webhook/fraud${query}`, { body, headers: { 'handoff-signature': signature } });

    for (const bad of [signatureHeader('whsec_not_the_secret_at_all', decision), 't=1,v1=00', signatureHeader(secret, decision, Math.floor(Date.now() / 1000) - 3600)]) {
      expect(await post(decision, bad)).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    }
    expect(await pendingReviewOf(s.id)).toEqual([]);
    expect((await intent(s.paymentIntentId)).risk).toBeNull();
    expect((await post(decision, signatureHeader(secret, decision), '')).body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'merchant_id' });

    const accepted = await post(decision, signatureHeader(secret, decision));
    expect(accepted).toMatchObject({ status: 200, body: { received: true, status: 'in_review', decision: 'review', payment_intent_id: s.paymentIntentId, checkout_id: s.id } });
    expect((await post(decision, signatureHeader(secret, decision))).body).toMatchObject({ received: true, status: 'duplicate' });
    const reviews = await pendingReviewOf(s.id);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ reason: 'provider', paymentIntentId: s.paymentIntentId, assessment: { action: 'REVIEW' } });
    expect((await intent(s.paymentIntentId)).risk).toMatchObject({ source: 'PROVIDER', score: 82, action: 'REVIEW', reasons: [{ code: 'provider:review', message: 'Device seen on 14 cards this week' }] });

    // Confirmed now, the payment is held for that review.
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent).toMatchObject({ status: 'REQUIRES_CAPTURE', captureMode: 'MANUAL' });
    expect(await pendingReviewOf(s.id)).toHaveLength(1);

    const block = JSON.stringify({ id: `evt_${s.id}_2`, payment_intent_id: s.paymentIntentId, decision: 'block' });
    expect((await post(block, signatureHeader(secret, block))).body).toMatchObject({ received: true, status: 'canceled' });
    const pi = await intent(s.paymentIntentId);
    expect(pi).toMatchObject({ status: 'CANCELED', lastPaymentError: { code: 'fraud_block' } });
    expect(await atPsp(pi.providerPaymentId)).toMatchObject({ status: 'canceled', amount_received: 0 });
    expect(await pendingReviewOf(s.id)).toEqual([]);
  });

  it("POST /v1/checkout/webhook/payment is the PSP webhook's ingestion under seed 003's path: same verification, same inbox", async () => {
    const event = JSON.stringify({ id: `evt_alias_${Date.now()}`, type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1' } } });
    const signed = { 'handoff-signature': signatureHeader(shop.pspWebhookSecret, event) };
    const first = await rest('POST', `/v1/checkout/webhook/payment?provider=test&merchant_id=${shop.id}`, { body: event, headers: signed });
    expect(first).toMatchObject({ status: 200, body: { received: true, status: 'queued' } });
    // The provider from the signature header, the merchant from Handoff-Merchant-Id: the same event is a duplicate of the same inbox.
    const again = await rest('POST', '/v1/checkout/webhook/payment', { body: event, headers: { ...signed, 'handoff-merchant-id': shop.id } });
    expect(again).toMatchObject({ status: 200, body: { received: true, status: 'duplicate' } });
    expect((await rest('POST', `/webhooks/test/${shop.id}`, { body: event, headers: signed })).body).toMatchObject({ status: 'duplicate' });
    expect((await rest('POST', `/v1/checkout/webhook/payment?merchant_id=${shop.id}`, { body: event, headers: { 'handoff-signature': signatureHeader('whsec_other', event) } })).status).toBe(400);
    expect((await rest('POST', '/v1/checkout/webhook/payment?provider=test', { body: event, headers: signed })).status).toBe(400);
  });

  it("KYC: above the merchant's amount a payment needs a verified identity; the provider's signed callback verifies it", async () => {
    const kycShop = await newShop('Verified Goods Ltd');
    await kycShop.client.ok(SET_RULES, { input: { rules: [], kycRequiredAbove: gbp(100_000) } });
    const s = await session(150_000, 'kyc@risk.test', kycShop);
    expect((await kycShop.client.request(CONFIRM, { id: s.paymentIntentId, card: GOOD })).errors?.[0]?.extensions).toMatchObject({ code: 'KYC_REQUIRED', reason: 'kyc:required' });
    expect((await intent(s.paymentIntentId, kycShop)).status).toBe('REQUIRES_PAYMENT_METHOD');

    const started = await rest('POST', `/v1/checkout/sessions/${s.id}/kyc/start`, { key: kycShop.key, body: {} });
    expect(started).toMatchObject({ status: 200, body: { object: 'kyc_verification', status: 'pending', checkout_id: s.id, provider: 'sandbox' } });
    const kycId = started.body.kyc_id as string;
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/kyc/start`, { key: kycShop.key, body: {} })).body.kyc_id).toBe(kycId);
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/kyc/start`, { key: shop.key, body: {} })).status).toBe(404);

    // A forged callback is refused and changes nothing.
    const forged = JSON.stringify({ id: 'evt_forged', data: { object: { id: 'vs_x', reference: kycId, status: 'verified' } } });
    expect(await rest('POST', `/v1/checkout/kyc/${kycId}/complete`, { body: forged, headers: { 'handoff-signature': signatureHeader('whsec_guessed_secret', forged) } })).toMatchObject({
      status: 400,
      body: { code: 'WEBHOOK_SIGNATURE_INVALID' },
    });
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/kyc/start`, { key: kycShop.key, body: {} })).body.status).toBe('pending');

    // The buyer completes it on the provider's page: the provider's signed callback reaches Handoff.
    const page = await fetch(started.body.verification_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'verified' }) });
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ status: 'verified', callback: { delivered: true, status: 200 } });
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/kyc/start`, { key: kycShop.key, body: {} })).body).toMatchObject({ kyc_id: kycId, status: 'verified' });

    expect((await kycShop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });
});
