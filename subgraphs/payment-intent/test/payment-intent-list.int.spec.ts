// The payments list (issue 23): paymentIntents(filter:, first:, after:) over HTTP against real
// PostgreSQL: each filter (status, created range, amount range with currency, customer email),
// combined, cursor pages, tenancy by principal, and bad input → BAD_USER_INPUT naming the field.
import { randomUUID } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph } from '../../../test/support/subgraph.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { createApp, loadConfig } from '../src/index.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus as S, PaymentProvider } from '../src/payment-intent/payment-intent.enums.js';

const id = (prefix: string) => `${prefix}_${randomUUID()}`;
const merchantA = id('mer');
const merchantB = id('mer');
const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
const asClient = (checkoutSessionId: string): Principal => ({ kind: 'CLIENT', checkoutSessionId });

const LIST = /* GraphQL */ `
  query List($filter: PaymentIntentFilter, $first: Int, $after: String) {
    paymentIntents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id status receiptEmail merchant { id } amount { amountMinor currency } createdAt } }
    }
  }
`;

const hour = 3_600_000;
const t0 = Date.now() - 10 * 24 * hour;
// Merchant A's intents, oldest first; B has one that matches every filter A's searches use.
const rows = {
  a1: { status: S.SUCCEEDED, amountMinor: 1000, currency: 'GBP', receiptEmail: 'buyer@example.com', at: t0 },
  a2: { status: S.CANCELED, amountMinor: 5000, currency: 'GBP', receiptEmail: 'other@example.com', at: t0 + hour },
  a3: { status: S.REQUIRES_CAPTURE, amountMinor: 1000, currency: 'EUR', receiptEmail: null, at: t0 + 2 * hour },
  a4: { status: S.SUCCEEDED, amountMinor: 2500, currency: 'GBP', receiptEmail: 'buyer@example.com', at: t0 + 3 * hour },
  b1: { status: S.SUCCEEDED, amountMinor: 1000, currency: 'GBP', receiptEmail: 'buyer@example.com', at: t0 + 30 * 60_000 },
};
const ids = Object.fromEntries(Object.keys(rows).map((k) => [k, id('pi')])) as Record<keyof typeof rows, string>;
const sessionA3 = id('cs');

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

type Conn = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { id: string; receiptEmail: string | null; merchant: { id: string } } }> };
async function list(principal: Principal, filter: Record<string, unknown> | null, first?: number, after?: string): Promise<Conn> {
  const res = await call<{ paymentIntents: Conn }>(principal, LIST, { filter, first, after });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.paymentIntents;
}
const idsOf = (c: Conn) => c.edges.map((e) => e.node.id);

async function refusal(principal: Principal, filter: Record<string, unknown> | null, first?: number, after?: string) {
  const res = await call(principal, LIST, { filter, first, after });
  expect(res.data?.paymentIntents ?? null).toBeNull();
  return res.errors?.[0]?.extensions ?? {};
}

beforeAll(async () => {
  ({ app, server, call } = await startSubgraph({ createApp, loadConfig }));
  const repo = app.dataSource.getRepository(PaymentIntentEntity);
  for (const [key, r] of Object.entries(rows)) {
    await repo.save({
      id: ids[key as keyof typeof rows],
      merchantId: key.startsWith('a') ? merchantA : merchantB,
      checkoutSessionId: key === 'a3' ? sessionA3 : null,
      status: r.status,
      currency: r.currency,
      amountMinor: r.amountMinor,
      amountCapturedMinor: r.status === S.SUCCEEDED ? r.amountMinor : 0,
      amountRefundedMinor: 0,
      captureMode: r.status === S.REQUIRES_CAPTURE ? CaptureMode.MANUAL : CaptureMode.AUTOMATIC,
      provider: PaymentProvider.TEST,
      providerPaymentId: null,
      metadata: {},
      receiptEmail: r.receiptEmail,
      createdAt: new Date(r.at),
    });
  }
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('paymentIntents(filter:)', () => {
  const mA = asMerchant(merchantA);

  it('lists a merchant its own, newest first, with no filter', async () => {
    const page = await list(mA, null);
    expect(idsOf(page)).toEqual([ids.a4, ids.a3, ids.a2, ids.a1]);
    expect(page.totalCount).toBe(4);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by status (any of those listed; empty is every status)', async () => {
    expect(idsOf(await list(mA, { status: ['SUCCEEDED'] }))).toEqual([ids.a4, ids.a1]);
    expect(idsOf(await list(mA, { status: ['CANCELED', 'REQUIRES_CAPTURE'] }))).toEqual([ids.a3, ids.a2]);
    expect(idsOf(await list(mA, { status: [] }))).toHaveLength(4);
  });

  it('filters by created range: from inclusive, to exclusive', async () => {
    const from = new Date(t0 + hour).toISOString();
    const to = new Date(t0 + 3 * hour).toISOString();
    expect(idsOf(await list(mA, { createdFrom: from, createdTo: to }))).toEqual([ids.a3, ids.a2]);
    expect(idsOf(await list(mA, { createdFrom: to }))).toEqual([ids.a4]);
    expect(idsOf(await list(mA, { createdTo: from }))).toEqual([ids.a1]);
  });

  it('filters by amount range in minor units of the currency given (bounds inclusive)', async () => {
    expect(idsOf(await list(mA, { amountMin: 1000, amountMax: 2500, currency: 'gbp' }))).toEqual([ids.a4, ids.a1]);
    expect(idsOf(await list(mA, { amountMin: 2501, currency: 'GBP' }))).toEqual([ids.a2]);
    expect(idsOf(await list(mA, { amountMax: 1000, currency: 'EUR' }))).toEqual([ids.a3]);
    expect(idsOf(await list(mA, { currency: 'EUR' }))).toEqual([ids.a3]);
  });

  it('filters by customer email: exact match, case-insensitive', async () => {
    const page = await list(mA, { customerEmail: '  Buyer@Example.COM ' });
    expect(idsOf(page)).toEqual([ids.a4, ids.a1]);
    expect(page.edges.map((e) => e.node.receiptEmail)).toEqual(['buyer@example.com', 'buyer@example.com']);
    expect(idsOf(await list(mA, { customerEmail: 'buyer@example.co' }))).toEqual([]);
    expect(idsOf(await list(mA, { customerEmail: 'uyer@example.com' }))).toEqual([]);
  });

  it('combines filters (AND)', async () => {
    const filter = { status: ['SUCCEEDED', 'CANCELED'], customerEmail: 'buyer@example.com', amountMin: 2000, currency: 'GBP', createdFrom: new Date(t0).toISOString() };
    const page = await list(mA, filter);
    expect(idsOf(page)).toEqual([ids.a4]);
    expect(page.totalCount).toBe(1);
  });

  it('pages by cursor without repeating or skipping', async () => {
    const first = await list(mA, null, 3);
    expect(idsOf(first)).toEqual([ids.a4, ids.a3, ids.a2]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list(mA, null, 3, first.pageInfo.endCursor!);
    expect(idsOf(second)).toEqual([ids.a1]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.totalCount).toBe(4);
  });

  it("tenancy: a merchant never sees another's, even naming it; an admin sees any merchant's; a client only its session's", async () => {
    const mine = await list(mA, { customerEmail: 'buyer@example.com' });
    expect(mine.edges.every((e) => e.node.merchant.id === merchantA)).toBe(true);
    expect(idsOf(await list(mA, { merchantId: merchantB }))).toEqual([]);
    expect(idsOf(await list(asMerchant(merchantB), { customerEmail: 'buyer@example.com' }))).toEqual([ids.b1]);
    expect(idsOf(await list(admin, { merchantId: merchantB }))).toEqual([ids.b1]);
    expect(idsOf(await list(admin, { merchantId: merchantA, customerEmail: 'buyer@example.com' }))).toEqual([ids.a4, ids.a1]);
    expect(idsOf(await list(asClient(sessionA3), null))).toEqual([ids.a3]);
    // Another tenant's intent is no cursor (it would tell where that intent sits in time).
    expect(await refusal(mA, null, 10, Buffer.from(ids.b1).toString('base64url'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const anonymous = await call(null, LIST, { filter: null });
    expect(anonymous.data?.paymentIntents ?? null).toBeNull();
  });

  it('refuses bad input with BAD_USER_INPUT naming the field', async () => {
    const at = (h: number) => new Date(t0 + h * hour).toISOString();
    const cases: Array<[Record<string, unknown> | null, string, number?, string?]> = [
      [{ createdFrom: at(2), createdTo: at(1) }, 'filter.createdTo'],
      [{ createdFrom: at(1), createdTo: at(1) }, 'filter.createdTo'],
      [{ amountMin: 500, amountMax: 100, currency: 'GBP' }, 'filter.amountMax'],
      [{ amountMin: -1, currency: 'GBP' }, 'filter.amountMin'],
      [{ amountMax: -5, currency: 'GBP' }, 'filter.amountMax'],
      [{ amountMin: 100 }, 'filter.currency'],
      [{ amountMax: 100 }, 'filter.currency'],
      [{ currency: 'POUNDS' }, 'filter.currency'],
      [{ customerEmail: 'not-an-email' }, 'filter.customerEmail'],
      [{ customerEmail: 'a@b' }, 'filter.customerEmail'],
      [{ customerEmail: `${'x'.repeat(250)}@example.com` }, 'filter.customerEmail'],
      [{ merchantId: 'bad id!' }, 'filter.merchantId'],
      [{ customerEmail: 'a\u0000b@example.com' }, 'filter.customerEmail'],
      [{ customerEmail: 'a\u202eb@example.com' }, 'filter.customerEmail'],
      [{ customerEmail: ' '.repeat(100_000) }, 'filter.customerEmail'],
      [null, 'first', 101],
      [null, 'first', -1],
      [null, 'after', undefined, '!!not-a-cursor'],
    ];
    for (const [filter, field, first, after] of cases) {
      const ext = await refusal(mA, filter, first, after);
      expect({ filter, code: ext.code, field: ext.field }).toEqual({ filter, code: 'BAD_USER_INPUT', field });
    }
    // Not a date-time, or one PostgreSQL cannot hold: refused as bad input, never a 500.
    for (const createdFrom of ['yesterday', '-001000-01-01T00:00:00.000Z', '2026-02-31T00:00:00Z']) {
      expect((await refusal(mA, { createdFrom })).code).toBe('BAD_USER_INPUT');
    }
  });
});
