// calculateCheckout's hot path (issue 18's performance target), against real PostgreSQL: a
// recalculation of a fresh session to the same totals is one statement (the versioned save, the
// snapshot and its checkout.calculated timeline entry, all in one transaction) that announces
// nothing (no webhook event, no audit row); racing recalculations each land once, on a version of
// their own, or are refused whole at a stale expectedVersion; another merchant finds nothing.
import { randomBytes } from 'node:crypto';
import { type CheckoutPricingConfig, type Principal, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { createApp, loadConfig } from '../src/index.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig, promotion } from './pricing-fixtures.js';
import { calculate } from '../src/calculation/calculate.js';
import { calculationInputJson } from '../src/calculation/calculation.store.js';
import type { CalculationInput } from '../src/calculation/calculation.types.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_rc_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const stranger: Principal = { kind: 'MERCHANT', keyId: `key2_${suffix}`, merchantId: `mer_rc2_${suffix}` };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
const payments = new FakePayments();

class ShopPricing implements MerchantPricingPort {
  async pricingConfig(id: string): Promise<CheckoutPricingConfig> {
    return pricingConfig({ merchantId: id, promotions: [promotion({ id: `promo_${suffix}`, code: 'SAVE5', amountOff: { amountMinor: 500, currency: 'GBP' } })] });
  }
}

const ADDRESS = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' };
const LINES = [
  { name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 1 },
  { name: 'Mug', unitAmount: { amountMinor: 450, currency: 'GBP' }, quantity: 2 },
];

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;

const q = <T>(sql: string, params: unknown[]) => app.dataSource.query(sql, params) as Promise<T[]>;
const sessionRow = async (id: string) =>
  (await q<{ version: number; calculation_id: string; total_minor: string; xmin: string }>(`SELECT version, calculation_id, total_minor, xmin::text AS xmin FROM checkout.checkout_sessions WHERE id = $1`, [id]))[0]!;
const snapshots = (id: string) => q<{ id: string; grand_total_minor: string; xmin: string }>(`SELECT id, grand_total_minor, xmin::text AS xmin FROM checkout.calculations WHERE checkout_session_id = $1`, [id]);
const calculatedEntries = (id: string) =>
  q<{ data: { calculation_id: string }; xmin: string }>(`SELECT data, xmin::text AS xmin FROM checkout.timeline_entries WHERE checkout_session_id = $1 AND kind = 'checkout.calculated'`, [id]);
const outboxRows = (id: string) => q<{ topic: string }>(`SELECT topic FROM checkout.outbox WHERE aggregate_id = $1`, [id]);

/** A session with an address, shipping and a code, calculated once (its calculation fresh). */
async function calculatedSession() {
  const s = await services.checkoutSessions.create(merchant as Principal & { kind: 'MERCHANT' }, { lineItems: LINES }, undefined);
  await services.addresses.setShippingAddress(merchant, s.id, ADDRESS);
  await services.sessionShipping.select(merchant, s.id, { shippingOptionId: 'std' });
  await services.sessionPromotions.apply(merchant, s.id, 'SAVE5');
  const first = await services.sessionCalculations.calculate(merchant, s.id, null);
  expect(first.calculationStale).toBe(false);
  return first;
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-rc`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const pricing = new ShopPricing();
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
});

afterAll(async () => {
  await app?.close();
});

describe('a recalculation to the same totals', () => {
  it('saves the session with a new snapshot and its timeline entry in one transaction, and announces nothing', async () => {
    const first = await calculatedSession();
    const outbox = (await outboxRows(first.id)).length;
    const again = await services.sessionCalculations.calculate(merchant, first.id, first.version);
    expect(again).toMatchObject({ version: first.version + 1, totalMinor: first.totalMinor, calculationStale: false });
    expect(again.calculationId).not.toBe(first.calculationId);

    const row = await sessionRow(first.id);
    expect(row).toMatchObject({ version: again.version, calculation_id: again.calculationId, total_minor: String(first.totalMinor) });
    const snap = (await snapshots(first.id)).find((s) => s.id === again.calculationId)!;
    expect(snap.grand_total_minor).toBe(String(first.totalMinor));
    const entry = (await calculatedEntries(first.id)).find((e) => e.data.calculation_id === again.calculationId)!;
    expect(entry.xmin, 'the snapshot, its entry and the save are one transaction').toBe(row.xmin);
    expect(snap.xmin).toBe(row.xmin);
    expect(await outboxRows(first.id)).toHaveLength(outbox);
    // The answer's calculation is the snapshot written, as a later read finds it.
    const current = await services.sessionCalculations.current((await services.checkoutSessions.findVisible(merchant, first.id))!);
    expect(current).toMatchObject({ id: again.calculationId, calculation: { totals: { grandTotal: first.totalMinor } } });
    expect((await services.sessionCalculations.current(again))!.calculation.fingerprint).toBe(current!.calculation.fingerprint);
    // Stored and reproducible: the input it names, calculated again at its instant, gives its result.
    const input = JSON.parse((await calculationInputJson(app.dataSource.manager, again.calculationId!))!) as CalculationInput;
    expect(JSON.stringify(calculate(input))).toBe(JSON.stringify(current!.calculation));
    // The same content as the first snapshot (same day): the same documents, nothing written again.
    const docs = await q<{ id: string; input_hash: string; result_hash: string; day: string }>(
      `SELECT id, input_hash, result_hash, to_char(calculated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM checkout.calculations WHERE id = ANY($1)`,
      [[first.calculationId, again.calculationId]],
    );
    expect(docs).toHaveLength(2);
    if (docs[0]!.day === docs[1]!.day) expect(docs[0]).toMatchObject({ input_hash: docs[1]!.input_hash, result_hash: docs[1]!.result_hash });
  });

  it('racing without expectedVersion: each lands once on a version of its own; at one expectedVersion: one wins, the others write nothing', async () => {
    const first = await calculatedSession();
    const [snaps0, entries0] = [(await snapshots(first.id)).length, (await calculatedEntries(first.id)).length];
    const free = await Promise.all(Array.from({ length: 4 }, () => services.sessionCalculations.calculate(merchant, first.id, null)));
    expect(new Set(free.map((r) => r.calculationId)).size).toBe(4);
    expect(free.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4].map((i) => first.version + i));
    expect(await snapshots(first.id)).toHaveLength(snaps0 + 4);
    expect(await calculatedEntries(first.id)).toHaveLength(entries0 + 4);
    const last = free.find((r) => r.version === first.version + 4)!;
    expect(await sessionRow(first.id)).toMatchObject({ version: last.version, calculation_id: last.calculationId });

    const pinned = await Promise.allSettled(Array.from({ length: 4 }, () => services.sessionCalculations.calculate(merchant, first.id, last.version)));
    expect(pinned.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of pinned.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await snapshots(first.id)).toHaveLength(snaps0 + 5);
    expect(await calculatedEntries(first.id)).toHaveLength(entries0 + 5);
    expect((await sessionRow(first.id)).version).toBe(last.version + 1);
  });

  it("another merchant's key finds no session and writes nothing; a stale expectedVersion is refused before pricing", async () => {
    const first = await calculatedSession();
    const snaps = (await snapshots(first.id)).length;
    await expect(services.sessionCalculations.calculate(stranger, first.id, null)).rejects.toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    await expect(services.sessionCalculations.calculate(merchant, first.id, first.version + 3)).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(services.sessionCalculations.calculate(merchant, first.id, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await snapshots(first.id)).toHaveLength(snaps);
    expect((await sessionRow(first.id)).version).toBe(first.version);
  });
});
