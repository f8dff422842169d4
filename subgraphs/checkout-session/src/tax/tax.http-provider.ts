// The tax stage at the merchant's endpoint (docs/api.md, "Pricing provider endpoints"). The
// answer must name every line exactly once (and shipping exactly when it was sent), with
// non-negative integer amounts — no more than the taxable amount when prices include tax;
// anything else is an invalid answer, a ProviderFailure.
import { z } from 'zod';
import type { TaxLine } from '../calculation/calculation.types.js';
import { callPricingEndpoint, ProviderFailure, type EndpointCallOptions, type PricingEndpoint } from '../calculation/pricing-endpoint.js';
import type { TaxStageRequest, TaxStageResult } from '../calculation/stages.js';
import type { TaxProvider } from './tax.provider.js';

const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bps = z.number().int().min(0).max(10_000).nullable().optional();
const answerSchema = z.strictObject({
  lines: z.array(z.strictObject({ id: z.string().min(1).max(200), tax_amount: amount, basis_points: bps })).max(500),
  shipping: z.strictObject({ tax_amount: amount, basis_points: bps }).nullable().optional(),
});

export function taxRequestBody(req: TaxStageRequest) {
  return {
    type: 'tax.calculate',
    merchant_id: req.merchantId,
    currency: req.currency,
    prices_include_tax: req.pricesIncludeTax,
    address: req.address && { country: req.address.country, region: req.address.region, postal_code: req.address.postalCode },
    lines: req.lines.map((l) => ({ id: l.id, offer_id: l.offerId, quantity: l.quantity, tax_category: l.taxCategory, taxable_amount: l.net.amountMinor })),
    shipping: req.shipping && { option_id: req.shipping.id, taxable_amount: req.shipping.amount.amountMinor },
  };
}

/** The answer as tax lines, or a ProviderFailure naming what is wrong with it. */
export function readTaxAnswer(req: TaxStageRequest, json: unknown): TaxStageResult {
  const parsed = answerSchema.safeParse(json);
  const bad = (why: string) => new ProviderFailure('tax', `invalid answer: ${why}`);
  if (!parsed.success) throw bad(parsed.error.issues[0] ? `${parsed.error.issues[0].path.join('.') || 'body'} ${parsed.error.issues[0].message}` : 'shape');
  const answer = parsed.data;
  const byId = new Map(answer.lines.map((l) => [l.id, l]));
  if (byId.size !== answer.lines.length) throw bad('a line is answered twice');
  if (answer.lines.length !== req.lines.length || req.lines.some((l) => !byId.has(l.id))) throw bad('lines do not match the request');
  if ((req.shipping === null) !== (answer.shipping === null || answer.shipping === undefined)) throw bad('shipping does not match the request');
  const line = (target: 'LINE' | 'SHIPPING', lineId: string | null, category: string | null, base: number, a: { tax_amount: number; basis_points?: number | null | undefined }): TaxLine => {
    if (req.pricesIncludeTax && a.tax_amount > base) throw bad('included tax exceeds the taxable amount');
    return {
      target, lineId, country: req.address?.country ?? null, region: req.address?.region ?? null, category,
      basisPoints: a.basis_points ?? null, taxableBaseMinor: base, amountMinor: a.tax_amount, inclusive: req.pricesIncludeTax, unroundedMinor: null,
    };
  };
  const taxLines = req.lines.map((l) => line('LINE', l.id, l.taxCategory, l.net.amountMinor, byId.get(l.id)!));
  if (req.shipping && answer.shipping) taxLines.push(line('SHIPPING', null, null, req.shipping.amount.amountMinor, answer.shipping));
  return { taxLines };
}

export class HttpTaxProvider implements TaxProvider {
  readonly kind = 'HTTP' as const;
  constructor(
    private readonly endpoint: PricingEndpoint,
    private readonly opts: EndpointCallOptions,
  ) {}

  async calculateTax(req: TaxStageRequest): Promise<TaxStageResult> {
    return readTaxAnswer(req, await callPricingEndpoint('tax', this.endpoint, taxRequestBody(req), this.opts));
  }
}
