// The HTTP providers against a merchant endpoint started here (node:http): the server checks
// Handoff's signature with the merchant's secret (the verify function of docs/api.md, written
// independently), then answers as each test tells it. Good answers are used; a timeout, a 500, a
// refused signature or a nonsense answer falls back to the built-in result (recorded as
// fallbackUsed) or, with fallback FAIL, throws PROVIDER_UNAVAILABLE.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckoutPricingConfig, PricingProviderConfig } from '@handoff/shared';
import { applyBasisPoints, money } from '@handoff/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { calcInput, pricingConfig, promotion } from '../../test/pricing-fixtures.js';
import { calculate, calculateWith } from './calculate.js';
import { providersFor } from './providers.js';
import type { CalculationInput } from './calculation.types.js';

const SECRET = 'whsec_merchant_pricing_secret';

function verify(secret: string, rawBody: Buffer, header: string | undefined, toleranceSeconds = 300): boolean {
  let t: number | null = null;
  const sigs: Buffer[] = [];
  for (const part of String(header ?? '').split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) sigs.push(Buffer.from(value, 'hex'));
  }
  if (t === null || sigs.length === 0 || Math.abs(Math.floor(Date.now() / 1000) - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return sigs.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
}

type Handler = (body: any, res: ServerResponse) => void;
let server: Server;
let base: string;
let handler: Handler;
const received: Array<{ path: string; body: any; signed: boolean }> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signed = verify(SECRET, raw, req.headers['handoff-signature'] as string | undefined);
      const body = JSON.parse(raw.toString('utf8'));
      received.push({ path: req.url!, body, signed });
      if (!signed) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      handler(body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));
beforeEach(() => {
  received.length = 0;
});

const json = (res: ServerResponse, body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const http = (concern: PricingProviderConfig['concern'], fallback: 'BUILT_IN' | 'FAIL', secret = SECRET, timeoutMs = 300): PricingProviderConfig => ({
  concern, kind: 'HTTP', endpointUrl: `${base}/${concern.toLowerCase()}`, signingSecret: secret, timeoutMs, fallback,
});
function inputWith(providers: Partial<CheckoutPricingConfig['providers']>, over: Partial<CalculationInput> = {}): CalculationInput {
  const config = pricingConfig({ promotions: [promotion({ id: 'ten', percentOffBasisPoints: 1000 })] });
  config.providers = { ...config.providers, ...providers };
  return calcInput({ config, promotionCodes: ['TEN'], ...over });
}
const run = (input: CalculationInput, allowPrivateUrls = true) => calculateWith(input, providersFor(input.config, { allowPrivateUrls }));
const taxAnswer = (body: any) => ({
  lines: body.lines.map((l: any) => ({ id: l.id, tax_amount: applyBasisPoints(money(l.taxable_amount, body.currency), 1000).amountMinor, basis_points: 1000 })),
  shipping: body.shipping ? { tax_amount: 7, basis_points: null } : null,
});

describe('HTTP tax provider', () => {
  it('posts the documented request, signed with the merchant secret, and uses a good answer', async () => {
    handler = (body, res) => json(res, taxAnswer(body));
    const c = await run(inputWith({ tax: http('TAX', 'FAIL') }));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/tax', signed: true });
    expect(received[0]!.body).toEqual({
      type: 'tax.calculate', merchant_id: 'mer_test', currency: 'GBP', prices_include_tax: false,
      address: { country: 'GB', region: null, postal_code: 'SW1A 1AA' },
      lines: [{ id: 'L1', offer_id: 'off_1', quantity: 2, tax_category: 'standard', taxable_amount: 1800 }],
      shipping: { option_id: 'std', taxable_amount: 399 },
    });
    expect(c.taxLines.map((t) => [t.amountMinor, t.basisPoints])).toEqual([[180, 1000], [7, null]]);
    expect(c.totals).toMatchObject({ subTotal: 2000, discountTotal: 200, taxTotal: 187, shippingTotal: 399, grandTotal: 2386 });
    expect(c.providers.find((p) => p.concern === 'tax')).toEqual({ concern: 'tax', source: 'HTTP', fallbackUsed: false, failure: null });
  });

  const builtInTotals = () => calculate(inputWith({})).totals;

  it.each([
    ['timeout', (_b: any, res: ServerResponse) => setTimeout(() => json(res, {}), 1000), /^timeout after 300 ms$/],
    ['a 500', (_b: any, res: ServerResponse) => json(res, { error: 'boom' }, 500), /^status 500$/],
    ['not JSON', (_b: any, res: ServerResponse) => res.writeHead(200).end('<html>'), /not JSON/],
    ['a missing line', (_b: any, res: ServerResponse) => json(res, { lines: [], shipping: { tax_amount: 1 } }), /lines do not match/],
    ['a negative amount', (b: any, res: ServerResponse) => json(res, { ...taxAnswer(b), lines: [{ id: 'L1', tax_amount: -5 }] }), /invalid answer/],
    ['a fractional amount', (b: any, res: ServerResponse) => json(res, { ...taxAnswer(b), lines: [{ id: 'L1', tax_amount: 1.5 }] }), /invalid answer/],
    ['an unknown field', (b: any, res: ServerResponse) => json(res, { ...taxAnswer(b), total: 5 }), /invalid answer/],
    ['shipping tax not asked for missing', (b: any, res: ServerResponse) => json(res, { lines: taxAnswer(b).lines }), /shipping does not match/],
  ])('falls back to the built-in tax on %s, and records it', async (_what, h, reason) => {
    handler = h;
    const c = await run(inputWith({ tax: http('TAX', 'BUILT_IN') }));
    const use = c.providers.find((p) => p.concern === 'tax')!;
    expect(use).toMatchObject({ source: 'BUILT_IN', fallbackUsed: true });
    expect(use.failure).toMatch(reason);
    expect(c.totals).toEqual(builtInTotals());
  });

  it('is refused by the merchant when signed with another secret: a failure, so the fallback applies', async () => {
    handler = (body, res) => json(res, taxAnswer(body));
    const c = await run(inputWith({ tax: http('TAX', 'BUILT_IN', 'whsec_wrong') }));
    expect(received[0]!.signed).toBe(false);
    expect(c.providers.find((p) => p.concern === 'tax')).toMatchObject({ fallbackUsed: true, failure: 'status 401' });
  });

  it('with fallback FAIL, a failure throws PROVIDER_UNAVAILABLE', async () => {
    handler = (_b, res) => json(res, { nonsense: true });
    await expect(run(inputWith({ tax: http('TAX', 'FAIL') }))).rejects.toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE', reason: 'provider:tax' } });
    handler = (_b, res) => setTimeout(() => json(res, {}), 1000);
    await expect(run(inputWith({ tax: http('TAX', 'FAIL') }))).rejects.toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE' } });
  });

  it('refuses a loopback endpoint unless private URLs are allowed, without calling it', async () => {
    handler = (body, res) => json(res, taxAnswer(body));
    const plain = await run(inputWith({ tax: http('TAX', 'BUILT_IN') }), false);
    expect(plain.providers.find((p) => p.concern === 'tax')).toMatchObject({ fallbackUsed: true, failure: 'endpoint URL must be https' });
    for (const url of ['https://127.0.0.1:9/tax', 'https://[::1]:9/tax', 'https://localhost:9/tax', 'https://10.1.2.3/tax']) {
      const c = await run(inputWith({ tax: { ...http('TAX', 'BUILT_IN'), endpointUrl: url } }), false);
      expect(c.providers.find((p) => p.concern === 'tax')).toMatchObject({ fallbackUsed: true, failure: 'endpoint address is not public' });
    }
    expect(received).toHaveLength(0);
  });
});

describe('HTTP shipping provider', () => {
  it('uses the merchant\'s options, with estimate dates computed here', async () => {
    handler = (body, res) => {
      expect(body).toMatchObject({ type: 'shipping.options', address: { country: 'GB' }, subtotal: 1800, lines: [{ id: 'L1', amount: 1800, requires_shipping: true }] });
      json(res, { options: [{ id: 'std', label: 'Courier', amount: 650, carrier: 'DPD', service_code: 'next', min_days: 1, max_days: 2 }] });
    };
    const c = await run(inputWith({ shipping: http('SHIPPING', 'FAIL') }, { includeDeliveryDates: true }));
    expect(c.shippingOptions).toEqual([{ id: 'std', label: 'Courier', carrier: 'DPD', serviceCode: 'next', amountMinor: 650, free: false, deliveryEstimate: { minDays: 1, maxDays: 2, earliestDate: '2026-12-07', latestDate: '2026-12-08' } }]);
    expect(c.totals.shippingTotal).toBe(650);
  });

  it('treats duplicate ids or an inverted estimate as a failure', async () => {
    handler = (_b, res) => json(res, { options: [{ id: 'a', label: 'A', amount: 1 }, { id: 'a', label: 'B', amount: 2 }] });
    const dup = await run(inputWith({ shipping: http('SHIPPING', 'BUILT_IN') }));
    expect(dup.providers.find((p) => p.concern === 'shipping')).toMatchObject({ fallbackUsed: true, failure: 'invalid answer: option ids are not unique' });
    handler = (_b, res) => json(res, { options: [{ id: 'a', label: 'A', amount: 1, min_days: 5, max_days: 2 }] });
    await expect(run(inputWith({ shipping: http('SHIPPING', 'FAIL') }))).rejects.toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE', reason: 'provider:shipping' } });
  });
});

describe('HTTP promotions provider', () => {
  it('uses applied promotions (split given or not) and turns rejections into blockers', async () => {
    handler = (body, res) => {
      expect(body).toMatchObject({ type: 'promotions.evaluate', codes: ['TEN', 'VIP'], customer_key: 'cus_1', subtotal: 2000 });
      json(res, { applied: [{ promotion_id: 'p_vip', code: 'vip', amount: 300, lines: [{ id: 'L1', amount: 300 }] }, { promotion_id: 'p_auto', code: null, amount: 50 }], rejected: [{ code: 'TEN', reason: 'exhausted' }] });
    };
    const c = await run(inputWith({ promotions: http('PROMOTIONS', 'FAIL') }, { promotionCodes: ['ten', 'vip'], customerKey: 'cus_1' }));
    expect(c.promotions.map((p) => [p.promotionId, p.code, p.amountMinor, p.automatic])).toEqual([['p_vip', 'VIP', 300, false], ['p_auto', null, 50, true]]);
    expect(c.totals.discountTotal).toBe(350);
    expect(c.blockers).toEqual([expect.objectContaining({ code: 'promotion_invalid', promotionCode: 'TEN', reason: 'exhausted' })]);
  });

  it.each([
    ['a code left unanswered', { applied: [], rejected: [] }],
    ['lines that do not add up', { applied: [{ promotion_id: 'p', code: 'TEN', amount: 300, lines: [{ id: 'L1', amount: 200 }] }], rejected: [] }],
    ['a discount beyond the line', { applied: [{ promotion_id: 'p', code: 'TEN', amount: 2500, lines: [{ id: 'L1', amount: 2500 }] }], rejected: [] }],
    ['a discount beyond the order', { applied: [{ promotion_id: 'p', code: 'TEN', amount: 2001 }], rejected: [] }],
    ['an unknown reason', { applied: [], rejected: [{ code: 'TEN', reason: 'because' }] }],
  ])('treats %s as a failure and falls back to the built-in promotions', async (_what, answer) => {
    handler = (_b, res) => json(res, answer);
    const c = await run(inputWith({ promotions: http('PROMOTIONS', 'BUILT_IN') }));
    expect(c.providers.find((p) => p.concern === 'promotions')).toMatchObject({ source: 'BUILT_IN', fallbackUsed: true });
    expect(c.promotions.map((p) => [p.promotionId, p.amountMinor])).toEqual([['ten', 200]]);
  });
});
