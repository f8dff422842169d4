// The merchant services against real PostgreSQL: validation, tenant filters, secrets at rest,
// idempotency, API keys and outbox events.
import { ErrorCode, hashApiKey, HandoffError } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommissionType, MerchantStatus } from '../src/merchant/merchant.enums.js';
import { PaymentProvider } from '../src/payment-connector/payment-provider.js';
import { ApiKeyRole } from '../src/api-key/api-key.role.js';
import {
  admin,
  agentPrincipal,
  gbpCpaMerchant,
  merchantPrincipal,
  service,
  startTestApp,
  unique,
  type TestApp,
} from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function expectCode(promise: Promise<unknown>, code: string, field?: string): Promise<HandoffError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandoffError);
  expect((error as HandoffError).extensions.code).toBe(code);
  if (field) expect((error as HandoffError).extensions.field).toBe(field);
  return error as HandoffError;
}

const countWhere = async (table: string, where: string, params: unknown[]) =>
  Number((await t.app.dataSource.query(`SELECT count(*)::int AS n FROM merchant.${table} WHERE ${where}`, params))[0].n);

const outboxTopics = async (aggregateId: string): Promise<string[]> =>
  (await t.app.dataSource.query('SELECT topic FROM merchant.outbox WHERE aggregate_id = $1 ORDER BY id', [aggregateId])).map(
    (r: { topic: string }) => r.topic,
  );

describe('merchants', () => {
  it('creates a merchant with money, defaults and a merchant.created event in the same transaction', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(unique('SMARTY')), undefined);
    expect(m.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const read = await t.services.merchants.findVisible(admin, m.id);
    expect(read).toMatchObject({
      country: 'GB',
      defaultCurrency: 'GBP',
      status: 'ACTIVE',
      commissionType: 'CPA',
      commissionCpaMinor: 800,
      commissionCpaCurrency: 'GBP',
      commissionPercentageBps: null,
      validationPeriodDays: 30,
      flowType: 'instant_checkout',
      flowSteps: ['payment_received', 'order_confirmed'],
      flowPayableAfter: 'order_confirmed',
    });
    const [raw] = await t.app.dataSource.query('SELECT commission_cpa_minor FROM merchant.merchants WHERE id = $1', [m.id]);
    expect(raw.commission_cpa_minor).toBe('800'); // a bigint column
    // Its audit row in the same INSERT (audit-log/merchant-audit.ts).
    expect(await outboxTopics(m.id)).toEqual(['merchant.created', 'audit.merchant.created']);
  });

  it('stores hybrid terms, presets and custom flows', async () => {
    const hybrid = await t.services.merchants.create(
      admin,
      {
        name: unique('Ikawaari'),
        country: 'ci',
        defaultCurrency: 'xof',
        commissionTerms: { type: CommissionType.HYBRID, cpa: { amountMinor: 5000, currency: 'XOF' }, percentageBps: 250 },
        validationPeriodDays: 0,
        conversionFlow: { type: 'custom', steps: ['lead', 'signed', 'paid'], payableAfter: 'signed' },
      },
      undefined,
    );
    expect(hybrid).toMatchObject({
      country: 'CI',
      defaultCurrency: 'XOF',
      commissionCpaMinor: 5000,
      commissionPercentageBps: 250,
      validationPeriodDays: 0,
      flowType: 'custom',
      flowSteps: ['lead', 'signed', 'paid'],
      flowPayableAfter: 'signed',
    });
    const pct = await t.services.merchants.create(
      admin,
      {
        ...gbpCpaMerchant(),
        commissionTerms: { type: CommissionType.PERCENTAGE, percentageBps: 1000 },
        conversionFlow: { type: 'policy_start', payableAfter: 'policy_issued' },
      },
      undefined,
    );
    expect(pct).toMatchObject({
      commissionCpaMinor: null,
      flowSteps: ['quote_requested', 'policy_issued', 'cooling_off_complete', 'first_bill_paid'],
      flowPayableAfter: 'policy_issued',
    });
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const name = unique('Bad');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ country: 'XX' }, 'country'],
      [{ defaultCurrency: 'ABC' }, 'defaultCurrency'],
      [{ commissionTerms: { type: 'CPA' } }, 'commissionTerms.cpa'],
      [{ commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'EUR' } } }, 'commissionTerms.cpa.currency'],
      [{ commissionTerms: { type: 'PERCENTAGE', percentageBps: 10_001 } }, 'commissionTerms.percentageBps'],
      [{ validationPeriodDays: 366 }, 'validationPeriodDays'],
      [{ conversionFlow: { type: 'custom', steps: ['a', 'a'] } }, 'conversionFlow.steps[1]'],
      [{ conversionFlow: { type: 'instant_checkout', payableAfter: 'nope' } }, 'conversionFlow.payableAfter'],
    ];
    for (const [patch, field] of cases) {
      await expectCode(
        t.services.merchants.create(admin, { ...gbpCpaMerchant(name), ...patch } as never, `bad-${field}`),
        ErrorCode.BAD_USER_INPUT,
        field,
      );
    }
    expect(await countWhere('merchants', 'name = $1', [name])).toBe(0);
    expect(await countWhere('idempotency_keys', "key LIKE 'bad-%'", [])).toBe(0);
  });

  it('updates: a merchant edits itself but not its status; an admin suspends; a suspended merchant cannot edit', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const self = merchantPrincipal(m.id);
    const updated = await t.services.merchants.update(self, m.id, {
      name: 'Renamed',
      commissionTerms: { type: CommissionType.HYBRID, cpa: { amountMinor: 100, currency: 'GBP' }, percentageBps: 50 },
      validationPeriodDays: 14,
      conversionFlow: { type: 'install_activation' },
    });
    expect(updated).toMatchObject({ name: 'Renamed', commissionType: 'HYBRID', validationPeriodDays: 14, flowType: 'install_activation' });
    await expectCode(t.services.merchants.update(self, m.id, { status: MerchantStatus.SUSPENDED }), ErrorCode.FORBIDDEN);
    const other = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    await expectCode(t.services.merchants.update(self, other.id, { name: 'Mine now' }), ErrorCode.MERCHANT_NOT_FOUND);
    await t.services.merchants.update(admin, m.id, { status: MerchantStatus.SUSPENDED });
    await expectCode(t.services.merchants.update(self, m.id, { name: 'Again' }), ErrorCode.FORBIDDEN);
    expect((await t.services.merchants.findVisible(admin, m.id))?.status).toBe('SUSPENDED');
    expect(await t.services.merchants.findVisible(agentPrincipal('any'), m.id)).toBeNull();
    expect(await outboxTopics(m.id)).toEqual([
      'merchant.created',
      'audit.merchant.created',
      'merchant.updated',
      'audit.merchant.updated',
      'merchant.updated',
      'audit.merchant.status_suspended',
    ]);
  });

  it('a merchant sees only itself, by id and by list', async () => {
    const a = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const b = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    expect(await t.services.merchants.findVisible(merchantPrincipal(a.id), b.id)).toBeNull();
    expect((await t.services.merchants.findVisible(merchantPrincipal(a.id), a.id))?.id).toBe(a.id);
    const page = await t.services.merchants.list(merchantPrincipal(a.id), { first: 100 });
    expect(page.totalCount).toBe(1);
    expect(page.edges.map((e) => e.node.id)).toEqual([a.id]);
    const refs = await t.services.merchants.findManyVisible(merchantPrincipal(a.id), [a.id, b.id], 'reference');
    expect(refs.map((m) => m?.id ?? null)).toEqual([a.id, null]);
  });

  it('pages by cursor', async () => {
    const page1 = await t.services.merchants.list(admin, { first: 2 });
    const page2 = await t.services.merchants.list(admin, { first: 2, after: page1.pageInfo.endCursor });
    expect(page1.edges).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page2.edges[0]!.node.id > page1.edges[1]!.node.id).toBe(true);
    await expectCode(t.services.merchants.list(admin, { first: 101 }), ErrorCode.BAD_USER_INPUT, 'first');
  });
});

describe('idempotent createMerchant', () => {
  it('same key twice → one merchant; other input → IDEMPOTENCY_KEY_REUSED', async () => {
    const key = unique('idem').replace(' ', '-');
    const input = gbpCpaMerchant();
    const first = await t.services.merchants.create(admin, input, key);
    const second = await t.services.merchants.create(admin, input, key);
    expect(second.id).toBe(first.id);
    expect(await countWhere('merchants', 'name = $1', [input.name])).toBe(1);
    await expectCode(t.services.merchants.create(admin, { ...input, country: 'FR' }, key), ErrorCode.IDEMPOTENCY_KEY_REUSED);
  });

  it('20 concurrent calls with one key → one merchant', async () => {
    const key = unique('idem-concurrent').replace(' ', '-');
    const input = gbpCpaMerchant();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.services.merchants.create(admin, input, key)));
    expect(new Set(results.map((m) => m.id)).size).toBe(1);
    expect(await countWhere('merchants', 'name = $1', [input.name])).toBe(1);
    expect(await countWhere('outbox', "aggregate_id = $1 AND topic = 'merchant.created'", [results[0]!.id])).toBe(1);
  });
});

describe('offers', () => {
  it('creates offers in the default currency, defaults the provider, and shows agents only active ones', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(unique('SMARTY')), undefined);
    const active = await t.services.offers.create(
      merchantPrincipal(m.id),
      { merchantId: m.id, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
      undefined,
    );
    expect(active).toMatchObject({ provider: m.name, priceMinor: 1000, priceCurrency: 'GBP', active: true });
    const inactive = await t.services.offers.create(
      admin,
      { merchantId: m.id, name: 'Old plan', provider: 'Brand', price: { amountMinor: 500, currency: 'gbp' }, active: false },
      undefined,
    );
    const agent = agentPrincipal('agent-x');
    const seen = await t.services.offers.list(agent, { merchantId: m.id });
    expect(seen.edges.map((e) => e.node.id)).toEqual([active.id]);
    expect(await t.services.offers.findVisible(agent, inactive.id)).toBeNull();
    expect((await t.services.offers.findVisible(merchantPrincipal(m.id), inactive.id))?.id).toBe(inactive.id);
    // A suspended merchant's offers disappear for agents.
    await t.services.merchants.update(admin, m.id, { status: MerchantStatus.SUSPENDED });
    expect(await t.services.offers.findVisible(agent, active.id)).toBeNull();
    expect(await outboxTopics(active.id)).toEqual(['offer.created', 'audit.offer.created']);
  });

  it('refuses bad prices and other merchants, writing nothing', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const other = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const base = { merchantId: m.id, name: unique('Offer') };
    await expectCode(t.services.offers.create(admin, { ...base, price: { amountMinor: 1000, currency: 'EUR' } }, undefined), 'BAD_USER_INPUT', 'price.currency');
    await expectCode(t.services.offers.create(admin, { ...base, price: { amountMinor: 0, currency: 'GBP' } }, undefined), 'BAD_USER_INPUT', 'price.amountMinor');
    await expectCode(t.services.offers.create(admin, { ...base, price: { amountMinor: 1.5, currency: 'GBP' } }, undefined), 'BAD_USER_INPUT', 'price.amountMinor');
    await expectCode(t.services.offers.create(admin, { ...base, name: ' ', price: { amountMinor: 1, currency: 'GBP' } }, undefined), 'BAD_USER_INPUT', 'name');
    await expectCode(
      t.services.offers.create(admin, { ...base, merchantId: 'nope', price: { amountMinor: 1, currency: 'GBP' } }, undefined),
      ErrorCode.MERCHANT_NOT_FOUND,
    );
    await expectCode(
      t.services.offers.create(merchantPrincipal(other.id), { ...base, price: { amountMinor: 1, currency: 'GBP' } }, undefined),
      ErrorCode.MERCHANT_NOT_FOUND,
    );
    expect(await countWhere('offers', 'name = $1', [base.name])).toBe(0);
  });

  it('updates an own offer; another merchant gets OFFER_NOT_FOUND', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const other = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const o = await t.services.offers.create(admin, { merchantId: m.id, name: 'Plan', price: { amountMinor: 100, currency: 'GBP' } }, undefined);
    const updated = await t.services.offers.update(merchantPrincipal(m.id), o.id, { price: { amountMinor: 250, currency: 'GBP' }, active: false });
    expect(updated).toMatchObject({ priceMinor: 250, active: false });
    await expectCode(t.services.offers.update(merchantPrincipal(other.id), o.id, { name: 'Stolen' }), ErrorCode.OFFER_NOT_FOUND);
    await expectCode(t.services.offers.update(admin, o.id, { price: { amountMinor: 1, currency: 'USD' } }), 'BAD_USER_INPUT', 'price.currency');
    expect(await outboxTopics(o.id)).toEqual(['offer.created', 'audit.offer.created', 'offer.updated', 'audit.offer.updated']);
  });
});

describe('payment connectors', () => {
  const raw = async (merchantId: string) =>
    (await t.app.dataSource.query('SELECT * FROM merchant.payment_connectors WHERE merchant_id = $1', [merchantId]))[0];

  it('TEST: generates a webhook secret shown once, stored encrypted; reconnecting rotates it', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const first = await t.services.connectors.connect(merchantPrincipal(m.id), m.id, { provider: PaymentProvider.TEST });
    expect(first.webhookSecret).toMatch(/^whsec_/);
    const row = await raw(m.id);
    expect(row.webhook_secret_ciphertext).toMatch(/^v1\./);
    expect(row.webhook_secret_ciphertext).not.toContain(first.webhookSecret!);
    expect(row.webhook_secret_ciphertext).not.toContain(first.webhookSecret!.slice(6));
    expect((await t.services.connectors.credentials(m.id))?.webhookSecret).toBe(first.webhookSecret);

    const second = await t.services.connectors.connect(admin, m.id, { provider: PaymentProvider.TEST });
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect((await t.services.connectors.credentials(m.id))?.webhookSecret).toBe(second.webhookSecret);
    expect(await countWhere('payment_connectors', 'merchant_id = $1', [m.id])).toBe(1);
  });

  it('STRIPE: the secret key is encrypted at rest and only merchant/admin see the connector', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const secretKey = `sk_test_${'A1b2C3d4'.repeat(4)}`;
    const webhookSecret = 'whsec_0123456789abcdefABCDEF';
    const result = await t.services.connectors.connect(admin, m.id, { provider: PaymentProvider.STRIPE, secretKey, webhookSecret });
    expect(result.webhookSecret).toBeNull();
    const row = await raw(m.id);
    expect(JSON.stringify(row)).not.toContain(secretKey);
    expect(JSON.stringify(row)).not.toContain(webhookSecret);
    expect(row.secret_key_ciphertext).toMatch(/^v1\./);
    expect(await t.services.connectors.credentials(m.id)).toEqual({ merchantId: m.id, provider: 'STRIPE', secretKey, webhookSecret });

    const seen = async (p: Parameters<typeof t.services.connectors.findManyVisible>[0]) =>
      (await t.services.connectors.findManyVisible(p, [m.id]))[0]?.provider ?? null;
    expect(await seen(admin)).toBe('STRIPE');
    expect(await seen(service)).toBe('STRIPE');
    expect(await seen(merchantPrincipal(m.id))).toBe('STRIPE');
    expect(await seen(merchantPrincipal('someone-else'))).toBeNull();
    expect(await seen(agentPrincipal('a'))).toBeNull();
  });

  it('refuses bad secrets, another merchant, and writes nothing', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    await expectCode(t.services.connectors.connect(admin, m.id, { provider: PaymentProvider.STRIPE }), 'BAD_USER_INPUT', 'input.secretKey');
    await expectCode(
      t.services.connectors.connect(admin, m.id, { provider: PaymentProvider.STRIPE, secretKey: 'pk_test_abcdefghijklmn' }),
      'BAD_USER_INPUT',
      'input.secretKey',
    );
    await expectCode(t.services.connectors.connect(merchantPrincipal('other'), m.id, { provider: PaymentProvider.TEST }), ErrorCode.MERCHANT_NOT_FOUND);
    expect(await countWhere('payment_connectors', 'merchant_id = $1', [m.id])).toBe(0);
  });
});

describe('agents and builders', () => {
  it('registers agents with a found-or-created builder, and anonymous ones', async () => {
    const builderName = unique('Builder Co');
    const a1 = await t.services.agents.register(admin, { name: 'Agent one', builderName }, undefined);
    const a2 = await t.services.agents.register(admin, { name: 'Agent two', builderName: builderName.toUpperCase() }, undefined);
    expect(a1.builderId).toBeTruthy();
    expect(a2.builderId).toBe(a1.builderId);
    const anon = await t.services.agents.register(admin, { name: 'Anon' }, undefined);
    expect(anon.builderId).toBeNull();
    expect(await outboxTopics(a1.id)).toEqual(['agent.registered', 'audit.agent.created']);

    const attached = await t.services.agents.registerBuilder(anon.id, builderName);
    expect(attached.builderId).toBe(a1.builderId);
    expect(await outboxTopics(anon.id)).toEqual(['agent.registered', 'audit.agent.created', 'builder.registered', 'audit.agent.builder_registered']);
    // the same builder again: a no-op; another one: refused
    expect((await t.services.agents.registerBuilder(anon.id, builderName)).builderId).toBe(a1.builderId);
    await expectCode(t.services.agents.registerBuilder(anon.id, unique('Other')), ErrorCode.INVALID_STATE_TRANSITION);
    await expectCode(t.services.agents.registerBuilder('missing', 'x'), ErrorCode.AGENT_NOT_FOUND);
    const [builder] = await t.services.agents.findBuilders([a1.builderId!]);
    expect(builder).toMatchObject({ name: builderName, registered: true });
  });

  it('an agent sees only itself; a merchant only by reference', async () => {
    const a = await t.services.agents.register(admin, { name: 'A' }, undefined);
    const b = await t.services.agents.register(admin, { name: 'B' }, undefined);
    expect((await t.services.agents.findVisible(agentPrincipal(a.id), a.id))?.id).toBe(a.id);
    expect(await t.services.agents.findVisible(agentPrincipal(a.id), b.id)).toBeNull();
    expect(await t.services.agents.findVisible(merchantPrincipal('m'), a.id)).toBeNull();
    expect((await t.services.agents.findManyVisible(merchantPrincipal('m'), [a.id], 'reference'))[0]?.id).toBe(a.id);
  });
});

describe('api keys', () => {
  it('create → the hash resolves to the principal; revoke → null; only the hash is stored', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const created = await t.services.apiKeys.create({ role: ApiKeyRole.MERCHANT, merchantId: m.id, name: 'portal' });
    expect(created.key).toMatch(/^hk_mer_/);
    expect(created.apiKey.prefix).toBe(created.key.slice(0, 12));
    const [row] = await t.app.dataSource.query('SELECT * FROM merchant.api_keys WHERE id = $1', [created.apiKey.id]);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row.key_hash).toBe(hashApiKey(created.key));

    expect(await t.services.apiKeys.principalForHash(hashApiKey(created.key))).toEqual({
      keyId: created.apiKey.id,
      role: 'MERCHANT',
      merchantId: m.id,
      agentId: null,
    });
    expect(await t.services.apiKeys.principalForHash(hashApiKey('hk_mer_unknown'))).toBeNull();
    expect(await t.services.apiKeys.principalForHash('not-a-hash')).toBeNull();

    // another merchant cannot revoke it; the merchant itself can, twice
    await expectCode(t.services.apiKeys.revoke(merchantPrincipal('other'), created.apiKey.id), ErrorCode.API_KEY_NOT_FOUND);
    expect(await t.services.apiKeys.revoke(merchantPrincipal(m.id), created.apiKey.id)).toBe(true);
    expect(await t.services.apiKeys.revoke(merchantPrincipal(m.id), created.apiKey.id)).toBe(true);
    expect(await t.services.apiKeys.principalForHash(hashApiKey(created.key))).toBeNull();
    // Its creation's and its (one) revocation's audit rows, never the key or its hash.
    expect(await outboxTopics(created.apiKey.id)).toEqual(['audit.api_key.created', 'api_key.revoked', 'audit.api_key.revoked']);
    const audited = JSON.stringify(await t.app.dataSource.query(`SELECT payload FROM merchant.outbox WHERE topic LIKE 'audit.api_key.%' AND aggregate_id = $1`, [created.apiKey.id]));
    expect(audited).not.toContain(created.key);
    expect(audited).not.toContain(hashApiKey(created.key));
  });

  it('marks a key used when the gateway resolves it, at most once a minute; concurrent lookups all resolve', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const created = await t.services.apiKeys.create({ role: ApiKeyRole.MERCHANT, merchantId: m.id, name: 'used' });
    const lastUsed = async () => (await t.services.apiKeys.list(merchantPrincipal(m.id), { first: 100 })).edges.find((e) => e.node.id === created.apiKey.id)!.node.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    // Eight lookups at once (a cold gateway cache on several replicas): every one resolves, one mark.
    const found = await Promise.all(Array.from({ length: 8 }, () => t.services.apiKeys.principalForHash(hashApiKey(created.key))));
    expect(found.every((p) => p?.keyId === created.apiKey.id)).toBe(true);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect(Math.abs(first!.getTime() - Date.now())).toBeLessThan(60_000);
    // Within the minute: not written again.
    await t.services.apiKeys.principalForHash(hashApiKey(created.key));
    expect((await lastUsed())!.getTime()).toBe(first!.getTime());
    // Over a minute old: the next lookup moves it.
    await t.app.dataSource.query(`UPDATE merchant.api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [created.apiKey.id]);
    const old = (await lastUsed())!.getTime();
    await t.services.apiKeys.principalForHash(hashApiKey(created.key));
    expect((await lastUsed())!.getTime()).toBeGreaterThan(old + 60_000);
    // A revoked key is not found, so not marked.
    await t.services.apiKeys.revoke(merchantPrincipal(m.id), created.apiKey.id);
    await t.app.dataSource.query(`UPDATE merchant.api_keys SET last_used_at = NULL WHERE id = $1`, [created.apiKey.id]);
    expect(await t.services.apiKeys.principalForHash(hashApiKey(created.key))).toBeNull();
    expect(await lastUsed()).toBeNull();
  });

  it('checks the owner of AGENT and MERCHANT keys', async () => {
    await expectCode(t.services.apiKeys.create({ role: ApiKeyRole.MERCHANT, merchantId: 'missing' }), ErrorCode.MERCHANT_NOT_FOUND);
    await expectCode(t.services.apiKeys.create({ role: ApiKeyRole.AGENT, agentId: 'missing' }), ErrorCode.AGENT_NOT_FOUND);
    await expectCode(t.services.apiKeys.create({ role: ApiKeyRole.AGENT }), 'BAD_USER_INPUT', 'agentId');
    const agent = await t.services.agents.register(admin, { name: 'Keyed' }, undefined);
    const created = await t.services.apiKeys.create({ role: ApiKeyRole.AGENT, agentId: agent.id });
    expect(await t.services.apiKeys.principalForHash(hashApiKey(created.key))).toMatchObject({ role: 'AGENT', agentId: agent.id });
    const adminKey = await t.services.apiKeys.create({ role: ApiKeyRole.ADMIN });
    expect(adminKey.key).toMatch(/^hk_adm_/);
  });

  it('lists all keys for an admin and only its own merchant keys for a merchant', async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const own = await t.services.apiKeys.create({ role: ApiKeyRole.MERCHANT, merchantId: m.id });
    await t.services.apiKeys.create({ role: ApiKeyRole.ADMIN });
    const mine = await t.services.apiKeys.list(merchantPrincipal(m.id), { first: 100 });
    expect(mine.edges.map((e) => e.node.id)).toEqual([own.apiKey.id]);
    expect((await t.services.apiKeys.list(admin, { first: 100 })).totalCount).toBeGreaterThan(1);
    expect((await t.services.apiKeys.list(agentPrincipal('a'), {})).totalCount).toBe(0);
  });
});
