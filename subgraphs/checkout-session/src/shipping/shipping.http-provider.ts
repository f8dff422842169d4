// The shipping stage at the merchant's endpoint (docs/api.md, "Pricing provider endpoints"). The
// answer is a list of options with unique ids, a label, a non-negative integer amount and an
// optional estimate (both bounds or neither, min ≤ max); anything else is a ProviderFailure.
import { z } from 'zod';
import type { ShippingOption } from '../calculation/calculation.types.js';
import { callPricingEndpoint, ProviderFailure, type EndpointCallOptions, type PricingEndpoint } from '../calculation/pricing-endpoint.js';
import type { ShippingStageRequest, ShippingStageResult } from '../calculation/stages.js';
import { deliveryEstimate } from './delivery-estimate.js';
import type { ShippingProvider } from './shipping.provider.js';

const days = z.number().int().min(0).max(365).nullable().optional();
const text = (max: number) => z.string().trim().min(1).max(max);
const answerSchema = z.strictObject({
  options: z
    .array(
      z.strictObject({
        id: text(100),
        label: text(200),
        amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        carrier: text(100).nullable().optional(),
        service_code: text(100).nullable().optional(),
        min_days: days,
        max_days: days,
      }),
    )
    .max(50),
});

export function shippingRequestBody(req: ShippingStageRequest) {
  return {
    type: 'shipping.options',
    merchant_id: req.merchantId,
    currency: req.currency,
    calculated_at: req.at,
    address: req.destination && { country: req.destination.country, region: req.destination.region, postal_code: req.destination.postalCode },
    lines: req.lines.map((l) => ({ id: l.id, offer_id: l.offerId, quantity: l.quantity, amount: l.net.amountMinor, requires_shipping: l.requiresShipping })),
    subtotal: req.discountedSubTotal.amountMinor,
  };
}

export function readShippingAnswer(req: ShippingStageRequest, json: unknown): ShippingStageResult {
  const parsed = answerSchema.safeParse(json);
  const bad = (why: string) => new ProviderFailure('shipping', `invalid answer: ${why}`);
  if (!parsed.success) throw bad(parsed.error.issues[0] ? `${parsed.error.issues[0].path.join('.') || 'body'} ${parsed.error.issues[0].message}` : 'shape');
  const options = parsed.data.options;
  if (new Set(options.map((o) => o.id)).size !== options.length) throw bad('option ids are not unique');
  const at = new Date(req.at);
  return {
    options: options.map((o): ShippingOption => {
      const min = o.min_days ?? null;
      const max = o.max_days ?? null;
      if ((min === null) !== (max === null) || (min !== null && max !== null && min > max)) throw bad(`option ${o.id} has an inconsistent estimate`);
      return {
        id: o.id, label: o.label, carrier: o.carrier ?? null, serviceCode: o.service_code ?? null, amountMinor: o.amount,
        free: o.amount === 0, deliveryEstimate: deliveryEstimate(min, max, at, req.includeDeliveryDates),
      };
    }),
  };
}

export class HttpShippingProvider implements ShippingProvider {
  readonly kind = 'HTTP' as const;
  constructor(
    private readonly endpoint: PricingEndpoint,
    private readonly opts: EndpointCallOptions,
  ) {}

  async shippingOptions(req: ShippingStageRequest): Promise<ShippingStageResult> {
    return readShippingAnswer(req, await callPricingEndpoint('shipping', this.endpoint, shippingRequestBody(req), this.opts));
  }
}
