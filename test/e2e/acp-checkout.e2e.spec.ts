// ACP Agentic Checkout through the gateway (issue 21 item 1): an agent platform, with its agent
// key, creates a checkout session for a US merchant (shipping zones, 10 % tax) from offer ids,
// updates it (another fulfilment option, other items), reads it, and cancels it; the spec's
// headers (API-Version, Idempotency-Key replay / in flight / conflict, Request-Id, Signature), its
// error shape and statuses, tenancy (another agent, another merchant's path) and bad input. Every
// response body is validated against the spec's JSON Schema (test/support/acp).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpProblems, type AcpDef } from '../support/acp/validate.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const ADDRESS = { name: 'Ada Buyer', line_one: '1 Market St', city: 'San Francisco', state: 'CA', country: 'US', postal_code: '94105' };

type Answer = { status: number; body: any; headers: Headers };

describe('ACP agentic checkout at /acp/{merchantId}', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let merchantId: string;
  let otherMerchantId: string;
  let agentKey: string;
  let otherAgentKey: string;
  let merchantKey: string;
  let agent: GqlClient;
  let mug: string;
  let tee: string;

  const acp = async (
    method: 'GET' | 'POST',
    path: string,
    opts: { key?: string | null; body?: unknown; idem?: string | null; version?: string | null; headers?: Record<string, string>; merchant?: string; raw?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    const key = opts.key === undefined ? agentKey : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    if (opts.version !== null) headers['api-version'] = opts.version ?? '2026-04-17';
    if (method === 'POST' && opts.idem !== null) headers['idempotency-key'] = opts.idem ?? randomUUID();
    const res = await fetch(`${handoff.gatewayUrl}/acp/${opts.merchant ?? merchantId}${path}`, {
      method,
      headers,
      body: method === 'GET' ? undefined : (opts.raw ?? JSON.stringify(opts.body ?? {})),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };

  /** The answer validates against the spec's schema: a session (with order), else an Error. */
  const valid = (a: Answer, def?: AcpDef): Answer => {
    const d: AcpDef = def ?? (a.status >= 400 ? 'Error' : 'CheckoutSession');
    expect(acpProblems(d, a.body), `${d}: ${JSON.stringify(a.body)}`).toEqual([]);
    return a;
  };

  const createBody = (extra: Record<string, unknown> = {}) => ({
    line_items: [{ id: mug }, { id: tee }, { id: mug }],
    currency: 'usd',
    capabilities: {},
    buyer: { first_name: 'Ada', last_name: 'Buyer', email: 'ada@example.com' },
    fulfillment_details: { name: 'Ada Buyer', email: 'ada@example.com', address: ADDRESS },
    ...extra,
  });

  beforeAll(async () => {
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const key = async (input: object) => (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input })).createApiKey.key as string;
    const shop = async (name: string) => {
      const id = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
        input: { name, country: 'US', defaultCurrency: 'USD', validationPeriodDays: 0, commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })).createMerchant.id as string;
      await admin.ok(`mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id });
      return id;
    };
    merchantId = await shop('ACP Outfitters');
    otherMerchantId = await shop('Elsewhere Goods');
    await admin.ok(`mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`, {
      m: merchantId,
      input: {
        zones: [{ id: 'us', name: 'United States', countries: ['US'], rates: [
          { id: 'standard', label: 'Standard', amount: usd(500), carrier: 'USPS', minDays: 3, maxDays: 5 },
          { id: 'express', label: 'Express', amount: usd(1500), carrier: 'UPS', minDays: 1, maxDays: 2 },
        ] }],
        pickupLocations: [],
      },
    });
    await admin.ok(`mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`, {
      m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'US', basisPoints: 1000 }] },
    });
    const offer = async (m: string, name: string, amount: number) =>
      (await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, { input: { merchantId: m, name, provider: 'acp', price: usd(amount) } })).createOffer.id as string;
    mug = await offer(merchantId, 'Enamel mug', 1200);
    tee = await offer(merchantId, 'Cotton tee', 2500);
    const agentOf = async (name: string) =>
      (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, { input: { name, builderName: `${name} ${randomBytes(3).toString('hex')}` } })).registerAgent.id as string;
    agentKey = await key({ role: 'AGENT', agentId: await agentOf('ACP platform') });
    otherAgentKey = await key({ role: 'AGENT', agentId: await agentOf('Other platform') });
    merchantKey = await key({ role: 'MERCHANT', merchantId });
    agent = admin.as(agentKey);
  }, 240_000);

  afterAll(async () => {
    await handoff?.stop();
  });

  it('creates, replays, updates, reads and cancels a session: one engine, every answer in the spec schema', async () => {
    // Create: 2 mugs and a tee, shipped to CA; the first shipping option is chosen, so it is ready.
    const idem = randomUUID();
    const created = valid(await acp('POST', '/checkout_sessions', { body: createBody(), idem, headers: { 'request-id': 'req_acp_1' } }));
    expect(created.status).toBe(201);
    expect(created.headers.get('idempotency-key')).toBe(idem);
    expect(created.headers.get('request-id')).toBe('req_acp_1');
    const s = created.body;
    expect(s.status).toBe('ready_for_payment');
    expect(s.currency).toBe('usd');
    expect(s.line_items.map((l: any) => [l.item.id, l.quantity])).toEqual([[mug, 2], [tee, 1]]);
    const total = (t: any[], type: string) => t.find((x) => x.type === type)?.amount;
    expect(total(s.totals, 'items_base_amount')).toBe(4900);
    expect(total(s.totals, 'fulfillment')).toBe(500);
    expect(total(s.totals, 'total')).toBe(4900 + 500 + total(s.totals, 'tax'));
    expect(total(s.totals, 'tax')).toBeGreaterThanOrEqual(490);
    expect(s.fulfillment_options.map((o: any) => o.id)).toEqual(['standard', 'express']);
    expect(s.selected_fulfillment_options).toEqual([{ type: 'shipping', option_id: 'standard', item_ids: [mug, tee] }]);
    expect(s.fulfillment_details.address).toMatchObject({ line_one: '1 Market St', country: 'US', postal_code: '94105' });
    expect(s.buyer.email).toBe('ada@example.com');
    expect(s.capabilities.payment.handlers[0].requires_delegate_payment).toBe(true);

    // The same session in GraphQL: the agent's, with the same status.
    const gql = (await agent.ok(`query($id: ID!) { checkoutSession(id: $id) { acpStatus lifecycleStatus totals { total { amountMinor } } } }`, { id: s.id })).checkoutSession;
    expect(gql.acpStatus).toBe('ready_for_payment');
    expect(gql.totals.total.amountMinor).toBe(total(s.totals, 'total'));

    // Replay: the stored answer, same status; another body under the key: 422.
    const replay = valid(await acp('POST', '/checkout_sessions', { body: createBody(), idem }));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(s);
    const conflict = valid(await acp('POST', '/checkout_sessions', { body: createBody({ currency: 'USD' }), idem }));
    expect([conflict.status, conflict.body.code]).toEqual([422, 'idempotency_conflict']);

    // Update: express shipping, then one tee only (the shipping choice stays).
    const express = valid(await acp('POST', `/checkout_sessions/${s.id}`, { body: { selected_fulfillment_options: [{ type: 'shipping', option_id: 'express', item_ids: [mug, tee] }] } }));
    expect(express.status).toBe(200);
    expect(total(express.body.totals, 'fulfillment')).toBe(1500);
    const items = valid(await acp('POST', `/checkout_sessions/${s.id}`, { body: { line_items: [{ id: tee }] } }));
    expect(items.body.line_items.map((l: any) => [l.item.id, l.quantity])).toEqual([[tee, 1]]);
    expect(total(items.body.totals, 'items_base_amount')).toBe(2500);
    expect(items.body.status).toBe('ready_for_payment');
    const unknownOption = valid(await acp('POST', `/checkout_sessions/${s.id}`, { body: { selected_fulfillment_options: [{ type: 'shipping', option_id: 'teleport', item_ids: [tee] }] } }));
    expect([unknownOption.status, unknownOption.body.param]).toEqual([400, '$.selected_fulfillment_options[0].option_id']);

    // Read: the latest state.
    const read = valid(await acp('GET', `/checkout_sessions/${s.id}`));
    expect(read.status).toBe(200);
    expect(read.body.line_items).toEqual(items.body.line_items);
    expect(read.body.totals).toEqual(items.body.totals);

    // Complete without a usable delegated payment token: the spec's error, nothing paid.
    const complete = valid(await acp('POST', `/checkout_sessions/${s.id}/complete`, {
      body: { payment_data: { handler_id: 'handoff_delegated_card', instrument: { type: 'card', credential: { type: 'spt', token: 'vt_not_a_token' } } } },
    }));
    expect(complete.status).toBeGreaterThanOrEqual(400);
    expect(complete.status).toBeLessThan(500);
    expect(complete.body.param).toBe('$.payment_data.instrument.credential.token');
    expect(valid(await acp('GET', `/checkout_sessions/${s.id}`)).body.status).toBe('ready_for_payment');

    // Cancel; then everything refuses with a clear code.
    const canceled = valid(await acp('POST', `/checkout_sessions/${s.id}/cancel`, { body: { intent_trace: { reason_code: 'buyer_cancelled' } } }));
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.messages[0]).toMatchObject({ type: 'info', content: 'Checkout session has been canceled.' });
    const again = valid(await acp('POST', `/checkout_sessions/${s.id}/cancel`));
    expect([again.status, again.body.code]).toEqual([405, 'session_canceled']);
    const completeCanceled = valid(await acp('POST', `/checkout_sessions/${s.id}/complete`, {
      body: { payment_data: { handler_id: 'handoff_delegated_card', instrument: { type: 'card', credential: { type: 'spt', token: 'vt_x' } } } },
    }));
    expect([completeCanceled.status, completeCanceled.body.code]).toEqual([409, 'session_canceled']);
    const updateCanceled = valid(await acp('POST', `/checkout_sessions/${s.id}`, { body: { line_items: [{ id: mug }] } }));
    expect([updateCanceled.status, updateCanceled.body.code]).toEqual([409, 'session_canceled']);
    expect((await agent.ok(`query($id: ID!) { checkoutSession(id: $id) { acpStatus } }`, { id: s.id })).checkoutSession.acpStatus).toBe('canceled');
  }, 120_000);

  it('concurrent creates under one Idempotency-Key make one session', async () => {
    const idem = randomUUID();
    const before = (await agent.ok(`query { checkoutSessions(first: 100) { totalCount } }`)).checkoutSessions.totalCount as number;
    const answers = await Promise.all(Array.from({ length: 4 }, () => acp('POST', '/checkout_sessions', { body: createBody(), idem })));
    for (const a of answers) valid(a);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect([a.status, a.body.code]).toEqual([409, 'idempotency_in_flight']);
      expect(a.headers.get('retry-after')).toBe('1');
    }
    const after = (await agent.ok(`query { checkoutSessions(first: 100) { totalCount } }`)).checkoutSessions.totalCount as number;
    expect(after - before).toBe(1);
  }, 60_000);

  it('bad input, authentication, versions, signatures and tenancy answer the spec error shape', async () => {
    const s = valid(await acp('POST', '/checkout_sessions', { body: createBody() })).body;
    const cases: Array<[string, () => Promise<Answer>, number, string]> = [
      ['no key', () => acp('GET', `/checkout_sessions/${s.id}`, { key: null }), 401, 'unauthorized'],
      ['merchant key', () => acp('GET', `/checkout_sessions/${s.id}`, { key: merchantKey }), 403, 'forbidden'],
      ['no API-Version', () => acp('GET', `/checkout_sessions/${s.id}`, { version: null }), 400, 'missing_api_version'],
      ['old API-Version', () => acp('GET', `/checkout_sessions/${s.id}`, { version: '2025-09-29' }), 400, 'unsupported_api_version'],
      ['no Idempotency-Key', () => acp('POST', '/checkout_sessions', { body: createBody(), idem: null }), 400, 'idempotency_key_required'],
      ['bad JSON', () => acp('POST', '/checkout_sessions', { raw: '{"line_items": [' }), 400, 'invalid_json'],
      ['no items', () => acp('POST', '/checkout_sessions', { body: createBody({ line_items: [] }) }), 400, 'invalid'],
      ['no currency', () => acp('POST', '/checkout_sessions', { body: { line_items: [{ id: mug }], capabilities: {} } }), 400, 'invalid'],
      ['quantity is not an Item field', () => acp('POST', '/checkout_sessions', { body: createBody({ line_items: [{ id: mug, quantity: 2 }] }) }), 400, 'invalid'],
      ['unknown offer', () => acp('POST', '/checkout_sessions', { body: createBody({ line_items: [{ id: 'off_nope' }] }) }), 400, 'invalid'],
      ['wrong currency', () => acp('POST', '/checkout_sessions', { body: createBody({ currency: 'eur' }) }), 400, 'invalid'],
      ['bad email', () => acp('POST', '/checkout_sessions', { body: createBody({ buyer: { email: 'not-an-email' } }) }), 400, 'invalid'],
      ['bad country', () => acp('POST', '/checkout_sessions', { body: createBody({ fulfillment_details: { address: { ...ADDRESS, country: 'USA' } } }) }), 400, 'invalid'],
      ['offer of another merchant', () => acp('POST', '/checkout_sessions', { body: createBody(), merchant: otherMerchantId }), 400, 'invalid'],
      ['unknown merchant', () => acp('POST', '/checkout_sessions', { body: createBody(), merchant: 'mer_nope' }), 404, 'merchant_not_found'],
      ['unknown session', () => acp('GET', '/checkout_sessions/cs_nope'), 404, 'not_found'],
      ['another agent', () => acp('GET', `/checkout_sessions/${s.id}`, { key: otherAgentKey }), 404, 'not_found'],
      ["another agent's update", () => acp('POST', `/checkout_sessions/${s.id}`, { key: otherAgentKey, body: { line_items: [{ id: mug }] } }), 404, 'not_found'],
      ["another agent's cancel", () => acp('POST', `/checkout_sessions/${s.id}/cancel`, { key: otherAgentKey }), 404, 'not_found'],
      ["another merchant's path", () => acp('GET', `/checkout_sessions/${s.id}`, { merchant: otherMerchantId }), 404, 'not_found'],
      ['complete without payment_data', () => acp('POST', `/checkout_sessions/${s.id}/complete`, { body: {} }), 400, 'invalid'],
      ['bad Signature', () => acp('POST', '/checkout_sessions', { body: createBody(), headers: { signature: 'AAAA', timestamp: new Date().toISOString() } }), 401, 'invalid_signature'],
    ];
    for (const [name, pending, status, code] of cases) {
      const a = valid(await pending());
      expect([name, a.status, a.body.code], JSON.stringify(a.body)).toEqual([name, status, code]);
      expect(a.body.type).toBe('invalid_request');
    }
    const versioned = await acp('GET', '/checkout_sessions/cs_nope', { version: null });
    expect(versioned.body.supported_versions).toEqual(['2026-04-17']);
    // Still the agent's and unchanged after the tenancy attempts.
    expect(valid(await acp('GET', `/checkout_sessions/${s.id}`)).body.line_items).toEqual(s.line_items);

    // A correctly signed request passes.
    const raw = JSON.stringify(createBody());
    const timestamp = new Date().toISOString();
    const signature = createHmac('sha256', agentKey).update(`${timestamp}.${raw}`).digest('base64url');
    const signed = valid(await acp('POST', '/checkout_sessions', { raw, headers: { signature, timestamp } }));
    expect(signed.status).toBe(201);
  }, 120_000);
  it('completes with a delegated payment token: one charge, the order, and the session refuses changes afterwards', async () => {
    const s = valid(await acp('POST', '/checkout_sessions', { body: createBody() })).body;
    const total = s.totals.find((t: any) => t.type === 'total').amount as number;
    // The create made the session alone: its payment intent comes with the first complete.
    expect((await agent.ok(`query($id: ID!) { checkoutSession(id: $id) { paymentIntentId } }`, { id: s.id })).checkoutSession.paymentIntentId).toBeNull();
    const delegated = await acp('POST', '/agentic_commerce/delegate_payment', {
      body: {
        payment_method: { type: 'card', card_number_type: 'fpan', number: '4242424242424242', exp_month: '12', exp_year: String(new Date().getFullYear() + 2), cvc: '123', name: 'Ada Buyer', display_card_funding_type: 'credit', metadata: {} },
        allowance: { reason: 'one_time', max_amount: total, currency: 'usd', checkout_session_id: s.id, merchant_id: merchantId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
        risk_signals: [{ type: 'card_testing', score: 1, action: 'authorized' }],
        metadata: {},
      },
    });
    expect(delegated.status, JSON.stringify(delegated.body)).toBe(201);
    const pay = { payment_data: { handler_id: 'handoff_delegated_card', instrument: { type: 'card', credential: { type: 'spt', token: delegated.body.id } } } };
    const idem = randomUUID();
    // Two concurrent completes under one key, and one under another key: one payment intent (made by
    // whichever complete comes first), one charge.
    const [a, b, c] = await Promise.all([
      acp('POST', `/checkout_sessions/${s.id}/complete`, { body: pay, idem }),
      acp('POST', `/checkout_sessions/${s.id}/complete`, { body: pay, idem }),
      acp('POST', `/checkout_sessions/${s.id}/complete`, { body: pay }),
    ]);
    for (const x of [a, b, c]) valid(x, x.status === 200 ? 'CheckoutSessionWithOrder' : 'Error');
    const completed = [a, b, c].filter((x) => x.status === 200);
    expect(completed.length).toBeGreaterThanOrEqual(1);
    for (const x of completed) expect([x.body.status, x.body.order.checkout_session_id]).toEqual(['completed', s.id]);
    for (const x of [a, b, c].filter((y) => y.status !== 200)) expect(['idempotency_in_flight', 'session_completed', 'delegated_token_used']).toContain(x.body.code);
    const intents = (await admin.ok(`query($id: ID!) { checkoutSession(id: $id) { acpStatus paymentIntent { status amount { amountMinor } } } }`, { id: s.id })).checkoutSession;
    expect(intents.acpStatus).toBe('completed');
    expect(intents.paymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: total } });
    // The replay of the first key answers the stored completion.
    // The replay of the first key answers what that key's first request answered (stored), whichever call paid.
    const first = a.status === 409 && a.body.code === 'idempotency_in_flight' ? b : a;
    const replay = valid(await acp('POST', `/checkout_sessions/${s.id}/complete`, { body: pay, idem }), first.status === 200 ? 'CheckoutSessionWithOrder' : 'Error');
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([first.status, 'true']);
    if (first.status === 200) expect(replay.body.order).toEqual(first.body.order);
    else expect(replay.body.code).toBe(first.body.code);
    const read = valid(await acp('GET', `/checkout_sessions/${s.id}`), 'CheckoutSessionWithOrder');
    expect(read.body.order.id).toBe(completed[0]!.body.order.id);
    const updateAfter = valid(await acp('POST', `/checkout_sessions/${s.id}`, { body: { line_items: [{ id: mug }] } }));
    expect([updateAfter.status, updateAfter.body.code]).toEqual([409, 'session_completed']);
    const cancelAfter = valid(await acp('POST', `/checkout_sessions/${s.id}/cancel`));
    expect([cancelAfter.status, cancelAfter.body.code]).toEqual([405, 'session_completed']);
  }, 120_000);
  it('an agent recommends an offer and passes its attribution token as affiliate_attribution: paid with a delegated token, the ledger verifies the conversion with its commission; a forged token pays and converts nothing', async () => {
    const issuer = handoff.env.AAP_ISSUER ?? 'handoff.local';
    const rest = async (path: string, body: unknown) => {
      const res = await fetch(`${handoff.gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    /** POST /v1/sessions, POST /v1/recommend: the recommendation and its attribution token. */
    const recommend = async () => {
      const session = await rest('/v1/sessions', { query: 'enamel mug' });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      const rec = await rest('/v1/recommend', { sessionId: session.body.id, offerId: mug });
      expect(rec.status, JSON.stringify(rec.body)).toBe(201);
      return rec.body as { id: string; attributionToken: string };
    };
    /** An ACP purchase of one mug with the token as its first touch, completed with a delegated token. */
    const buy = async (token: string) => {
      const created = valid(await acp('POST', '/checkout_sessions', { body: createBody({ line_items: [{ id: mug }], affiliate_attribution: { provider: issuer, token, touchpoint: 'first' } }) }));
      expect([created.status, created.body.status]).toEqual([201, 'ready_for_payment']);
      const total = created.body.totals.find((t: any) => t.type === 'total').amount as number;
      const delegated = await acp('POST', '/agentic_commerce/delegate_payment', {
        body: {
          payment_method: { type: 'card', card_number_type: 'fpan', number: '4242424242424242', exp_month: '12', exp_year: String(new Date().getFullYear() + 2), cvc: '123', name: 'Ada Buyer', display_card_funding_type: 'credit', metadata: {} },
          allowance: { reason: 'one_time', max_amount: total, currency: 'usd', checkout_session_id: created.body.id, merchant_id: merchantId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
          risk_signals: [{ type: 'card_testing', score: 1, action: 'authorized' }],
          metadata: {},
        },
      });
      expect(delegated.status, JSON.stringify(delegated.body)).toBe(201);
      const done = valid(await acp('POST', `/checkout_sessions/${created.body.id}/complete`, {
        body: { payment_data: { handler_id: 'handoff_delegated_card', instrument: { type: 'card', credential: { type: 'spt', token: delegated.body.id } } } },
      }), 'CheckoutSessionWithOrder');
      expect([done.status, done.body.status]).toEqual([200, 'completed']);
      const read = (await admin.ok(`query($id: ID!) { checkoutSession(id: $id) { paymentIntent { id status } attribution { firstTouch { status reason recommendationId } } } }`, { id: created.body.id })).checkoutSession;
      expect(read.paymentIntent.status).toBe('SUCCEEDED');
      return { id: created.body.id as string, paymentIntentId: read.paymentIntent.id as string, total, firstTouch: read.attribution?.firstTouch };
    };
    type Conversion = { verification: string; transactionValue: { amountMinor: number }; paymentIntent: { id: string } | null; recommendation: { id: string } | null; commission: { amount: { amountMinor: number } } | null };
    const conversionOf = async (paymentIntentId: string) =>
      ((await admin.ok(`query($m: ID!) { conversions(filter: { merchantId: $m }, first: 100) { edges { node { verification transactionValue { amountMinor } paymentIntent { id } recommendation { id } commission { amount { amountMinor } } } } } }`, { m: merchantId }))
        .conversions.edges as Array<{ node: Conversion }>).map((e) => e.node).find((c) => c.paymentIntent?.id === paymentIntentId);

    const rec = await recommend();
    const good = await buy(rec.attributionToken);
    expect(good.firstTouch).toMatchObject({ status: 'VERIFIED', reason: null, recommendationId: rec.id });
    // The ledger verifies the AAP code the intent carries on the PSP's webhook: waited on, not slept.
    let conversion: Conversion | undefined;
    await expect.poll(async () => (conversion = await conversionOf(good.paymentIntentId))?.verification, { timeout: 60_000, interval: 250 }).toBe('verified');
    // The amount paid, and the merchant's 5 % of it.
    expect(conversion).toMatchObject({ transactionValue: { amountMinor: good.total }, recommendation: { id: rec.id }, commission: { amount: { amountMinor: Math.round(good.total * 0.05) } } });

    // A forged token (one signature character changed): the purchase completes, the touch is INVALID, nothing converts.
    const other = await recommend();
    const at = other.attributionToken.lastIndexOf('.') + 5;
    const forged = other.attributionToken.slice(0, at) + (other.attributionToken[at] === 'A' ? 'B' : 'A') + other.attributionToken.slice(at + 1);
    const bad = await buy(forged);
    expect(bad.firstTouch).toMatchObject({ status: 'INVALID' });
    // The payment's webhooks are processed (the first purchase's conversion came through the same path); still none for this one.
    await expect.poll(async () => (await admin.ok(`query($id: ID!) { paymentIntent(id: $id) { status } }`, { id: bad.paymentIntentId })).paymentIntent.status, { timeout: 30_000, interval: 250 }).toBe('SUCCEEDED');
    expect(await conversionOf(bad.paymentIntentId)).toBeUndefined();
  }, 180_000);
});
