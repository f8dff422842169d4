// The platform through the gateway, as a client uses it: an admin sets up merchants, offers,
// agents and keys; each key then sees exactly what its role allows.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsChannel, type OutboxJobData } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import {
  ConnectPaymentProcessorDocument as CONNECT,
  CreateApiKeyDocument as CREATE_KEY,
  CreateMerchantDocument as CREATE_MERCHANT,
  CreateOfferDocument as CREATE_OFFER,
  MerchantDocument as MERCHANT,
  MerchantsDocument,
  OffersDocument,
  RegisterAgentDocument as REGISTER_AGENT,
  RevokeApiKeyDocument as REVOKE_KEY,
  UpdateMerchantDocument as UPDATE_MERCHANT,
  ViewerDocument as VIEWER,
  type CreateMerchantInput,
} from '../generated/graphql.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const smartyInput = (name = 'SMARTY'): CreateMerchantInput => ({
  name,
  country: 'GB',
  defaultCurrency: 'GBP',
  commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
  conversionFlow: { type: 'instant_checkout' },
});
const MERCHANTS = { doc: MerchantsDocument, vars: { first: 100 } };

describe('platform through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let anon: GqlClient;
  let smarty: { id: string };
  let other: { id: string };
  let merchantKey: string;
  let merchantKeyId: string;
  let otherMerchantKey: string;
  let agentKey: string;
  let offerId: string;
  let inactiveOfferId: string;

  beforeAll(async () => {
    handoff = await startTestHandoff();
    anon = new GqlClient(handoff.graphqlUrl);
    admin = anon.as(handoff.adminKey);

    smarty = (await admin.ok(CREATE_MERCHANT, { input: smartyInput() })).createMerchant;
    other = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Ikawaari', country: 'SN', defaultCurrency: 'XOF', commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 } },
      })
    ).createMerchant;
    const k1 = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: smarty.id } })).createApiKey;
    merchantKey = k1.key;
    merchantKeyId = k1.apiKey.id;
    otherMerchantKey = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: other.id } })).createApiKey.key;
    const agent = (await admin.ok(REGISTER_AGENT, { input: { name: 'Shopper', builderName: 'Acme Agents' } })).registerAgent;
    agentKey = (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId: agent.id } })).createApiKey.key;
    offerId = (
      await admin.ok(CREATE_OFFER, {
        input: { merchantId: smarty.id, name: '30GB Rolling Monthly', provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } },
      })
    ).createOffer.id;
    inactiveOfferId = (
      await admin.ok(CREATE_OFFER, {
        input: { merchantId: smarty.id, name: 'Retired plan', price: { amountMinor: 500, currency: 'GBP' }, active: false },
      })
    ).createOffer.id;
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('admin creates a merchant with exact money, commission terms and a preset conversion flow', async () => {
    const m = (await admin.ok(CREATE_MERCHANT, { input: smartyInput('SMARTY two') })).createMerchant;
    expect(m).toMatchObject({
      name: 'SMARTY two',
      country: 'GB',
      defaultCurrency: 'GBP',
      status: 'ACTIVE',
      validationPeriodDays: 30,
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP', amount: '8.00' } },
      conversionFlow: { type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'] },
    });
  });

  it('returns the webhook secret once, at connection, and never again', async () => {
    const connected = (await admin.ok(CONNECT, { merchantId: smarty.id, input: { provider: 'TEST' } })).connectPaymentProcessor;
    expect(connected).toMatchObject({ provider: 'TEST', status: 'connected' });
    expect(connected.webhookSecret).toMatch(/^whsec_/);
    const read = (await admin.ok(MERCHANT, { id: smarty.id })).merchant;
    expect(read!.paymentConnector).toMatchObject({ provider: 'TEST', webhookSecret: null });
  });

  it('a merchant key sees only its own merchant, by id and by list', async () => {
    const me = anon.as(merchantKey);
    expect((await me.ok(MERCHANT, { id: smarty.id })).merchant!.id).toBe(smarty.id);
    expect((await me.ok(MERCHANT, { id: other.id })).merchant).toBeNull();
    const list = (await me.ok(MERCHANTS.doc, MERCHANTS.vars)).merchants;
    expect(list.edges.map((e) => e.node.id)).toEqual([smarty.id]);
    expect(list.totalCount).toBe(1);
    expect((await me.ok(VIEWER)).viewer).toMatchObject({ role: 'MERCHANT', merchant: { id: smarty.id } });
  });

  it("a merchant key cannot create offers for another merchant or read the other's offers", async () => {
    const me = anon.as(otherMerchantKey);
    const code = await me.errorCode(CREATE_OFFER, {
      input: { merchantId: smarty.id, name: 'Sneaky', price: { amountMinor: 100, currency: 'GBP' } },
    });
    expect(['FORBIDDEN', 'MERCHANT_NOT_FOUND']).toContain(code);
    const offers = (await me.ok(OffersDocument, { merchantId: smarty.id, first: 100 })).offers;
    expect(offers.totalCount).toBe(0);
  });

  it('an agent key reads active offers with their merchant, and cannot create one', async () => {
    const agent = anon.as(agentKey);
    const offers = (await agent.ok(OffersDocument, { merchantId: smarty.id, first: 100 })).offers;
    const ids = offers.edges.map((e) => e.node.id);
    expect(ids).toContain(offerId);
    expect(ids).not.toContain(inactiveOfferId);
    const offer = offers.edges.find((e) => e.node.id === offerId)!.node;
    expect(offer).toMatchObject({ name: '30GB Rolling Monthly', price: { amount: '10.00', currency: 'GBP' }, merchant: { id: smarty.id, name: 'SMARTY' } });
    expect(
      await agent.errorCode(CREATE_OFFER, { input: { merchantId: smarty.id, name: 'x', price: { amountMinor: 100, currency: 'GBP' } } }),
    ).toBe('FORBIDDEN');
    expect((await agent.ok(VIEWER)).viewer).toMatchObject({ role: 'AGENT', agent: { builder: { registered: true } } });
  });

  it('no key, an unknown key, and a revoked key are UNAUTHENTICATED', async () => {
    expect(await anon.errorCode(MERCHANTS.doc, MERCHANTS.vars)).toBe('UNAUTHENTICATED');
    expect(await anon.as('hk_mer_' + 'x'.repeat(32)).errorCode(MERCHANTS.doc, MERCHANTS.vars)).toBe('UNAUTHENTICATED');
    expect(await anon.as('not-a-key').errorCode(MERCHANTS.doc, MERCHANTS.vars)).toBe('UNAUTHENTICATED');
    const { key, apiKey } = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: smarty.id } })).createApiKey;
    expect((await anon.as(key).ok(VIEWER)).viewer.role).toBe('MERCHANT');
    expect((await admin.ok(REVOKE_KEY, { id: apiKey.id })).revokeApiKey).toBe(true);
    await expect.poll(async () => (await anon.as(key).request(VIEWER)).errors?.[0]?.extensions?.code, { timeout: 10_000 }).toBe(
      'UNAUTHENTICATED',
    );
    // The other key of the same merchant still works.
    expect((await anon.as(merchantKey).ok(VIEWER)).viewer.role).toBe('MERCHANT');
    expect(merchantKeyId).not.toBe(apiKey.id);
  });

  it('SUSPENDED: agents stop seeing the merchant and its offers; its key reads but cannot write; an admin reactivates', async () => {
    const m = (await admin.ok(CREATE_MERCHANT, { input: smartyInput('To Suspend') })).createMerchant;
    const offer = (
      await admin.ok(CREATE_OFFER, { input: { merchantId: m.id, name: 'Suspended plan', price: { amountMinor: 700, currency: 'GBP' } } })
    ).createOffer;
    const own = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: m.id } })).createApiKey.key);
    const agent = anon.as(agentKey);
    const agentSees = async () => ({
      merchant: (await agent.ok(MERCHANT, { id: m.id })).merchant?.id ?? null,
      inList: (await agent.ok(MERCHANTS.doc, MERCHANTS.vars)).merchants.edges.some((e) => e.node.id === m.id),
      offers: (await agent.ok(OffersDocument, { merchantId: m.id, first: 10 })).offers.edges.map((e) => e.node.id),
    });
    expect(await agentSees()).toEqual({ merchant: m.id, inList: true, offers: [offer.id] });

    // Only an admin changes the status.
    expect(await own.errorCode(UPDATE_MERCHANT, { id: m.id, input: { status: 'SUSPENDED' } })).toBe('FORBIDDEN');
    const suspended = (await admin.ok(UPDATE_MERCHANT, { id: m.id, input: { status: 'SUSPENDED' } })).updateMerchant;
    expect(suspended.status).toBe('SUSPENDED');

    expect(await agentSees()).toEqual({ merchant: null, inList: false, offers: [] });
    expect((await own.ok(MERCHANT, { id: m.id })).merchant).toMatchObject({ id: m.id, status: 'SUSPENDED' });
    expect(await own.errorCode(UPDATE_MERCHANT, { id: m.id, input: { name: 'Renamed' } })).toBe('FORBIDDEN');
    expect(
      await own.errorCode(CREATE_OFFER, { input: { merchantId: m.id, name: 'More', price: { amountMinor: 100, currency: 'GBP' } } }),
    ).toBe('FORBIDDEN');
    expect(await own.errorCode(CONNECT, { merchantId: m.id, input: { provider: 'TEST' } })).toBe('FORBIDDEN');
    expect((await admin.ok(MERCHANT, { id: m.id })).merchant!.name).toBe('To Suspend');

    const back = (await admin.ok(UPDATE_MERCHANT, { id: m.id, input: { status: 'ACTIVE' } })).updateMerchant;
    expect(back.status).toBe('ACTIVE');
    expect(await agentSees()).toEqual({ merchant: m.id, inList: true, offers: [offer.id] });
    expect((await own.ok(UPDATE_MERCHANT, { id: m.id, input: { name: 'Back Again' } })).updateMerchant.name).toBe('Back Again');
  });

  it('wrong role is FORBIDDEN: an agent cannot create merchants or keys', async () => {
    const agent = anon.as(agentKey);
    expect(await agent.errorCode(CREATE_MERCHANT, { input: smartyInput('nope') })).toBe('FORBIDDEN');
    expect(await agent.errorCode(CREATE_KEY, { input: { role: 'ADMIN' } })).toBe('FORBIDDEN');
  });

  it('client-sent identity headers are ignored', async () => {
    const forged = anon.as(merchantKey).withHeaders({
      'x-handoff-principal': Buffer.from(JSON.stringify({ kind: 'ADMIN', keyId: 'x' })).toString('base64url'),
      'x-handoff-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
    });
    const list = (await forged.ok(MERCHANTS.doc, MERCHANTS.vars)).merchants;
    expect(list.edges.map((e) => e.node.id)).toEqual([smarty.id]);
  });

  describe('idempotent createMerchant', () => {
    const countNamed = async (name: string) =>
      (await admin.ok(MERCHANTS.doc, MERCHANTS.vars)).merchants.edges.filter((e) => e.node.name === name).length;

    it('same key twice → one merchant, the same response', async () => {
      const a = (await admin.ok(CREATE_MERCHANT, { input: smartyInput('Idem One'), idempotencyKey: 'idem-one' })).createMerchant;
      const b = (await admin.ok(CREATE_MERCHANT, { input: smartyInput('Idem One'), idempotencyKey: 'idem-one' })).createMerchant;
      expect(b).toEqual(a);
      expect(await countNamed('Idem One')).toBe(1);
    });

    it('same key, other input → IDEMPOTENCY_KEY_REUSED', async () => {
      await admin.ok(CREATE_MERCHANT, { input: smartyInput('Idem Two'), idempotencyKey: 'idem-two' });
      expect(await admin.errorCode(CREATE_MERCHANT, { input: smartyInput('Idem Two changed'), idempotencyKey: 'idem-two' })).toBe(
        'IDEMPOTENCY_KEY_REUSED',
      );
      expect(await countNamed('Idem Two changed')).toBe(0);
    });

    it('the Idempotency-Key header works like the argument', async () => {
      const c = admin.withHeaders({ 'Idempotency-Key': 'idem-header-1' });
      const a = (await c.ok(CREATE_MERCHANT, { input: smartyInput('Idem Header') })).createMerchant;
      const b = (await c.ok(CREATE_MERCHANT, { input: smartyInput('Idem Header') })).createMerchant;
      expect(b.id).toBe(a.id);
      expect(await countNamed('Idem Header')).toBe(1);
    });

    it('a failed validation is not stored: the corrected retry with the same key succeeds', async () => {
      const bad = { ...smartyInput('Idem Fix'), defaultCurrency: 'ZZZ' };
      expect(await admin.errorCode(CREATE_MERCHANT, { input: bad, idempotencyKey: 'idem-fix' })).toBe('BAD_USER_INPUT');
      const good = (await admin.ok(CREATE_MERCHANT, { input: smartyInput('Idem Fix'), idempotencyKey: 'idem-fix' })).createMerchant;
      expect(good.name).toBe('Idem Fix');
    });

    it('20 concurrent requests with one key → one merchant', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => admin.ok(CREATE_MERCHANT, { input: smartyInput('Idem Burst'), idempotencyKey: 'idem-burst' })),
      );
      expect(new Set(results.map((r) => r.createMerchant.id)).size).toBe(1);
      expect(await countNamed('Idem Burst')).toBe(1);
    });
  });

  it('bad input is BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const r = await admin.request(CREATE_MERCHANT, { input: { ...smartyInput('Bad Country'), country: 'Narnia' } });
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/country/);
    const money = await admin.request(CREATE_OFFER, {
      input: { merchantId: smarty.id, name: 'Fractional', price: { amountMinor: 1.5, currency: 'GBP' } },
    });
    expect(money.status).toBeLessThan(500);
    expect(money.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const list = (await admin.ok(MERCHANTS.doc, MERCHANTS.vars)).merchants.edges.map((e) => e.node.name);
    expect(list).not.toContain('Bad Country');
  });

  it('one request id travels from the client through the gateway and the subgraph into the event its outbox publishes', async () => {
    const sub = new Redis(handoff.env.REDIS_URL!);
    try {
      const channel = eventsChannel(handoff.env.QUEUE_PREFIX!, 'merchant.created');
      const seen: OutboxJobData[] = [];
      sub.on('message', (_ch: string, message: string) => seen.push(JSON.parse(message) as OutboxJobData));
      await sub.subscribe(channel);
      const traced = admin.withHeaders({ 'x-request-id': 'e2e-trace-platform-0001' });
      const r = await traced.request(CREATE_MERCHANT, { input: smartyInput('Traced') });
      expect(r.headers.get('x-request-id')).toBe('e2e-trace-platform-0001');
      const id = r.data!.createMerchant.id;
      await expect.poll(() => seen.find((e) => e.aggregateId === id)?.requestId, { timeout: 10_000 }).toBe('e2e-trace-platform-0001');
      // Without a client id the gateway makes one, returns it, and the event carries that one.
      const plain = await admin.request(CREATE_MERCHANT, { input: smartyInput('Untraced') });
      const minted = plain.headers.get('x-request-id');
      expect(minted).toMatch(/^[0-9a-f-]{36}$/);
      await expect.poll(() => seen.find((e) => e.aggregateId === plain.data!.createMerchant.id)?.requestId, { timeout: 10_000 }).toBe(minted);
    } finally {
      sub.disconnect();
    }
  });

  it('health, readiness and metrics answer', async () => {
    expect((await fetch(`${handoff.gatewayUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${handoff.gatewayUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(JSON.stringify(body)).toMatch(/merchant/);
    const metrics = await (await fetch(`${handoff.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/# TYPE/);
  });
});
