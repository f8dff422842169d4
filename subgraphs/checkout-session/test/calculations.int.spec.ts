// The calculation engine's persistence on real PostgreSQL: snapshots (append-only, totals as
// bigint, reproducible from their stored input), the promotion ledger under concurrency (a
// promotion limited to 10 uses, 50 sessions redeeming at once → exactly 10), per-customer limits
// under the same lock, all-or-nothing redemption, release; and CalculationService end to end.
import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations, type CheckoutPricingConfig } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { calculate } from '../src/calculation/calculate.js';
import { CalculationService, type SessionPricingInput } from '../src/calculation/calculation.service.js';
import { calculationById, calculationInputJson, insertCalculation } from '../src/calculation/calculation.store.js';
import type { AppliedPromotion } from '../src/calculation/calculation.types.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { promotionUsage, redeemPromotions, releasePromotions, type RedeemableCalculation } from '../src/promotion/promotion.redemption.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { calcInput, pricingConfig, promotion } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
let ds: DataSource;

beforeAll(async () => {
  ds = createDataSource({ url: env.databaseUrl, schema: 'checkout', entities, migrations, poolSize: 20 });
  await runMigrations(ds);
});
afterAll(async () => {
  await ds?.destroy();
});

const applied = (over: Partial<AppliedPromotion> & { promotionId: string }): AppliedPromotion => ({
  code: over.promotionId.toUpperCase(), automatic: false, stacking: 'STACKABLE', amountMinor: 100, usageLimit: null, perCustomerLimit: null, ...over,
});
const calcOf = (promotions: AppliedPromotion[], customerKey: string | null = null): RedeemableCalculation => ({
  id: `calc_${suffix}`, customerKey, calculation: { promotions },
});
const code = (e: unknown) => (e as { extensions?: { code?: string; reason?: string } }).extensions;
const usedOf = async (id: string) => (await promotionUsage(ds.manager, [id], null))[id]!.used;

describe('calculation snapshots', () => {
  it('stores a snapshot with a calc_ id, bigint totals and its input without secrets; reads it back; refuses changes', async () => {
    const session = `cs_snap_${suffix}`;
    const input = calcInput();
    input.config.providers.tax = { concern: 'TAX', kind: 'HTTP', endpointUrl: 'https://tax.example/x', signingSecret: 'whsec_never_stored', timeoutMs: 500, fallback: 'BUILT_IN' };
    const calc = calculate(input);
    const stored = await insertCalculation(ds.manager, session, input, calc);
    expect(stored.id).toMatch(/^calc_[0-9A-Z]{26}$/);
    expect(stored.calculation).toEqual(calc);
    // What insertCalculation answers (built from what it wrote) is what a later read finds.
    expect(await calculationById(ds.manager, stored.id)).toEqual(stored);
    const [row] = await ds.query(`SELECT grand_total_minor, tax_total_minor, fingerprint, input_hash, result_hash FROM checkout.calculations WHERE id = $1`, [stored.id]);
    expect(row).toMatchObject({ grand_total_minor: String(calc.totals.grandTotal), tax_total_minor: '480', fingerprint: calc.fingerprint });
    const stored_input = (await calculationInputJson(ds.manager, stored.id))!;
    expect(stored_input).not.toContain('whsec_never_stored');
    // Reproducible: the stored input (secrets aside) gives the same result again.
    const again = calculate(JSON.parse(stored_input));
    expect(JSON.stringify(again)).toBe(JSON.stringify(calc));
    // The same content again (another session, same instant): a snapshot of its own naming the same documents, written once.
    const twin = await insertCalculation(ds.manager, `${session}_twin`, input, calc);
    const [twinRow] = await ds.query(`SELECT input_hash, result_hash FROM checkout.calculations WHERE id = $1`, [twin.id]);
    expect(twinRow).toEqual({ input_hash: row.input_hash, result_hash: row.result_hash });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM checkout.calculation_documents WHERE hash = ANY($1)`, [[row.input_hash, row.result_hash]]);
    expect(n).toBe(2);
    expect(await calculationById(ds.manager, twin.id)).toEqual(twin);
    // Concurrent writers of new content: one document each, every snapshot readable.
    const input2 = { ...input, lines: input.lines.map((l) => ({ ...l, quantity: l.quantity + 1 })) };
    const other = calculate(input2);
    const racing = await Promise.all(Array.from({ length: 5 }, (_, i) => insertCalculation(ds.manager, `${session}_race${i}`, input2, other)));
    for (const r of racing) expect(await calculationById(ds.manager, r.id)).toEqual(r);
    const hashes = await ds.query(`SELECT DISTINCT input_hash, result_hash FROM checkout.calculations WHERE id = ANY($1)`, [racing.map((r) => r.id)]);
    expect(hashes).toHaveLength(1);
    expect(hashes[0].result_hash).not.toBe(row.result_hash);
    expect(JSON.stringify(calculate(JSON.parse((await calculationInputJson(ds.manager, racing[0]!.id))!)))).toBe(JSON.stringify(other));
    // An input whose `at` is not written as its calculatedAt stays inline, reproducible as before.
    const odd = { ...input, at: '2026-12-04T10:00:00Z' };
    const oddCalc = calculate(odd);
    const oddStored = await insertCalculation(ds.manager, `${session}_odd`, odd, oddCalc);
    expect(JSON.parse((await calculationInputJson(ds.manager, oddStored.id))!).at).toBe('2026-12-04T10:00:00Z');
    expect(await calculationById(ds.manager, oddStored.id)).toEqual(oddStored);
    await expect(ds.query(`DELETE FROM checkout.calculation_documents WHERE hash = $1`, [row.result_hash])).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE checkout.calculations SET grand_total_minor = 1 WHERE id = $1`, [stored.id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM checkout.calculations WHERE id = $1`, [stored.id])).rejects.toThrow(/append-only/);
  });
});

describe('promotion ledger', () => {
  it('50 sessions redeeming a promotion limited to 10 uses at once: exactly 10 succeed', async () => {
    const promo = `promo_ten_${suffix}`;
    const calc = calcOf([applied({ promotionId: promo, usageLimit: 10 })]);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => ds.transaction((m) => redeemPromotions(m, { ...calc, id: `calc_${i}` }, `cs_race_${suffix}_${i}`))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(failed).toHaveLength(40);
    for (const f of failed) expect(code(f.reason)).toMatchObject({ code: 'PROMOTION_INVALID', reason: 'promotion:exhausted' });
    expect(await usedOf(promo)).toBe(10);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM checkout.promotion_redemptions WHERE promotion_id = $1 AND released_at IS NULL`, [promo]);
    expect(n).toBe(10);
  });

  it('holds a per-customer limit under the same lock: one customer, 12 sessions at once, limit 2 → 2', async () => {
    const promo = `promo_cust_${suffix}`;
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => redeemPromotions(ds.manager, calcOf([applied({ promotionId: promo, perCustomerLimit: 2 })], 'cus_1'), `cs_cust_${suffix}_${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(code(r.reason)).toMatchObject({ reason: 'promotion:customer_limit' });
    await redeemPromotions(ds.manager, calcOf([applied({ promotionId: promo, perCustomerLimit: 2 })], 'cus_2'), `cs_cust_${suffix}_other`);
    await expect(redeemPromotions(ds.manager, calcOf([applied({ promotionId: promo, perCustomerLimit: 2 })], null), `cs_cust_${suffix}_anon`)).rejects.toMatchObject({
      extensions: { code: 'PROMOTION_INVALID', reason: 'promotion:customer_required' },
    });
    expect((await promotionUsage(ds.manager, [promo], 'cus_1'))[promo]).toEqual({ used: 3, byCustomer: 2 });
  });

  it('takes all of a calculation\'s promotions or none', async () => {
    const a = `promo_a_${suffix}`;
    const z = `promo_z_${suffix}`;
    await redeemPromotions(ds.manager, calcOf([applied({ promotionId: z, usageLimit: 1 })]), `cs_first_${suffix}`);
    await expect(redeemPromotions(ds.manager, calcOf([applied({ promotionId: a, usageLimit: 5 }), applied({ promotionId: z, usageLimit: 1 })]), `cs_both_${suffix}`)).rejects.toMatchObject({
      extensions: { code: 'PROMOTION_INVALID', reason: 'promotion:exhausted' },
    });
    expect(await usedOf(a)).toBe(0);
    expect(await usedOf(z)).toBe(1);
  });

  it('takes one use per session however often it redeems; release gives it back once, and the use can be taken again', async () => {
    const promo = `promo_rel_${suffix}`;
    const session = `cs_rel_${suffix}`;
    const calc = calcOf([applied({ promotionId: promo, usageLimit: 1 })]);
    await redeemPromotions(ds.manager, calc, session);
    await redeemPromotions(ds.manager, calc, session);
    expect(await usedOf(promo)).toBe(1);
    await expect(redeemPromotions(ds.manager, calc, `${session}_b`)).rejects.toMatchObject({ extensions: { code: 'PROMOTION_INVALID' } });
    expect(await releasePromotions(ds.manager, session)).toEqual([promo]);
    expect(await releasePromotions(ds.manager, session)).toEqual([]);
    expect(await usedOf(promo)).toBe(0);
    await redeemPromotions(ds.manager, calc, `${session}_b`);
    expect(await usedOf(promo)).toBe(1);
  });

  it('releases and redeems racing on the same promotions stay consistent (no deadlock, count = live redemptions)', async () => {
    const p1 = `promo_r1_${suffix}`;
    const p2 = `promo_r2_${suffix}`;
    const calc = calcOf([applied({ promotionId: p2, usageLimit: 30 }), applied({ promotionId: p1, usageLimit: 30 })]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => redeemPromotions(ds.manager, calc, `cs_mix_${suffix}_${i}`)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? releasePromotions(ds.manager, `cs_mix_${suffix}_${i}`) : redeemPromotions(ds.manager, calc, `cs_mix_${suffix}_new_${i}`))));
    for (const p of [p1, p2]) {
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM checkout.promotion_redemptions WHERE promotion_id = $1 AND released_at IS NULL`, [p]);
      expect(await usedOf(p)).toBe(n);
      expect(n).toBe(20);
    }
  });
});

describe('CalculationService', () => {
  class Pricing implements MerchantPricingPort {
    constructor(public config: CheckoutPricingConfig) {}
    async pricingConfig() {
      return structuredClone(this.config);
    }
  }
  const session = (id: string, over: Partial<SessionPricingInput> = {}): SessionPricingInput => {
    const { config: _c, usage: _u, at: _a, ...rest } = calcInput();
    return { ...rest, checkoutSessionId: id, merchantId: 'mer_test', ...over };
  };
  const at = new Date('2026-12-04T10:00:00.000Z');

  it('calculates with the ledger\'s counts, stores the snapshot, and validates without writing', async () => {
    const promo = `svc_promo_${suffix}`;
    const pricing = new Pricing(pricingConfig({ promotions: [promotion({ id: promo, code: 'SVC', percentOffBasisPoints: 1000, usageLimit: 1 })] }));
    const service = new CalculationService({ dataSource: ds, pricing, allowPrivateUrls: true, clock: () => at });
    const id = `cs_svc_${suffix}`;
    const stored = await service.calculate(session(id, { promotionCodes: ['svc'] }));
    expect(stored.calculation.totals).toMatchObject({ discountTotal: 200, grandTotal: 2639 });
    expect((await service.latest(id))!.id).toBe(stored.id);
    expect((await service.get(stored.id))!.calculation).toEqual(stored.calculation);
    await service.redeemPromotions(ds.manager, stored, id);

    const count = async () => (await ds.query(`SELECT count(*)::int AS n FROM checkout.calculations WHERE checkout_session_id = $1`, [id]))[0].n;
    // The promotion is used up now: a second session's code is a blocker.
    const other = await service.validate(session(`${id}_2`, { promotionCodes: ['SVC'] }));
    expect(other.blockers).toEqual([expect.objectContaining({ code: 'promotion_invalid', reason: 'exhausted' })]);
    // A rate change since the stored calculation: tax_mismatch, nothing written.
    pricing.config.tax.rates[0]!.basisPoints = 1500;
    const checked = await service.validate(session(id, { promotionCodes: ['SVC'] }));
    expect(checked.valid).toBe(false);
    expect(checked.blockers.map((b) => b.code)).toContain('tax_mismatch');
    expect(await count()).toBe(1);
  });

  it('asks the inventory check when given one', async () => {
    const service = new CalculationService({
      dataSource: ds, pricing: new Pricing(pricingConfig()), allowPrivateUrls: true, clock: () => at,
      inventory: { shortfalls: async (_m, lines) => lines.map((l) => ({ lineId: l.id, offerId: l.offerId, requested: l.quantity, available: 1 })) },
    });
    const result = await service.validate(session(`cs_inv_${suffix}`));
    expect(result.blockers).toEqual([{ code: 'inventory_shortfall', message: 'Only 1 of the 2 requested are available.', lineId: 'L1' }]);
  });

  it('writes nothing when an HTTP provider fails with fallback FAIL', async () => {
    const config = pricingConfig();
    config.providers.tax = { concern: 'TAX', kind: 'HTTP', endpointUrl: 'http://127.0.0.1:9/tax', signingSecret: 'whsec_x', timeoutMs: 200, fallback: 'FAIL' };
    const service = new CalculationService({ dataSource: ds, pricing: new Pricing(config), allowPrivateUrls: true, clock: () => at });
    const id = `cs_fail_${suffix}`;
    await expect(service.calculate(session(id))).rejects.toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(await service.latest(id)).toBeNull();
  });
});
