// The calculation as one pipeline, written once: promotions → shipping options → selection →
// tax → lines, totals and shipments. It is a generator that yields each provider stage's request
// and is resumed with that stage's result, so the same steps run synchronously over the built-in
// providers (calculate) and asynchronously over configured ones (calculateWith).
import { money, subtract, sum, type Money } from '@handoff/shared';
import type { Blocker, Calculation, CalculationInput, SelectedShipping, ShippingOption } from './calculation.types.js';
import { ROUNDING_EXPLANATION } from './calculation.types.js';
import { checkInput, normalizeCodes, pricingAddress } from './calculation.input.js';
import { assembleLines, planShipments, totalsOf } from './calculation.assemble.js';
import { fingerprintOf } from './fingerprint.js';
import { pickupOption } from '../shipping/shipping.options.js';
import type {
  DiscountedLine,
  PricingAddress,
  PromotionStageRequest,
  PromotionStageResult,
  ShippingStageRequest,
  ShippingStageResult,
  TaxStageRequest,
  TaxStageResult,
} from './stages.js';

export type StageCall =
  | { stage: 'promotions'; request: PromotionStageRequest }
  | { stage: 'shipping'; request: ShippingStageRequest }
  | { stage: 'tax'; request: TaxStageRequest };
export type StageResult = PromotionStageResult | ShippingStageResult | TaxStageResult;

/** The calculation without `providers` (the driver adds which provider answered each stage). */
export type PipelineOutput = Omit<Calculation, 'providers'>;

export function* calculationPipeline(input: CalculationInput): Generator<StageCall, PipelineOutput, StageResult> {
  const checked = checkInput(input);
  const { currency, lines } = checked;
  const blockers: Blocker[] = [...checked.blockers];
  const merchantId = input.config.merchantId;
  const subTotal = sum(lines.map((l) => l.base), currency);

  const promotions = (yield {
    stage: 'promotions',
    request: {
      merchantId, currency, at: input.at, lines, subTotal, codes: normalizeCodes(input.promotionCodes),
      customerKey: input.customerKey ?? null, config: input.config, usage: input.usage ?? {},
    },
  }) as PromotionStageResult;
  blockers.push(...promotions.blockers);

  const discounted: DiscountedLine[] = lines.map((l) => {
    const discount = sum((promotions.adjustments[l.id] ?? []).map((a) => money(a.amountMinor, currency)), currency);
    return { ...l, discount, net: subtract(l.base, discount) };
  });
  const physical = lines.some((l) => l.requiresShipping);
  const pickups = physical ? input.config.shipping.pickupLocations : [];

  let options: ShippingOption[] = [];
  if (physical && checked.destination) {
    const shippingResult = (yield {
      stage: 'shipping',
      request: {
        merchantId, currency, at: input.at, destination: checked.destination, lines: discounted,
        discountedSubTotal: sum(discounted.map((l) => l.net), currency), config: input.config,
        includeDeliveryDates: input.includeDeliveryDates === true,
      },
    }) as ShippingStageResult;
    options = shippingResult.options;
  }

  // The selection, the charge and where tax is located.
  let selected: SelectedShipping | null = null;
  let shippingAmount: Money = money(0, currency);
  let taxAddress: PricingAddress | null = checked.destination;
  const selection = input.selection;
  if (physical) {
    if (selection?.kind === 'PICKUP') {
      const location = pickups.find((p) => p.id === selection.locationId);
      if (location) {
        selected = { kind: 'PICKUP', id: location.id, label: location.name, amountMinor: 0, taxMinor: 0, deliveryEstimate: null };
        taxAddress = pricingAddress({ country: location.address.country, region: location.address.state, postalCode: location.address.postalCode }, []);
      } else {
        blockers.push({ code: 'shipping_not_selected', message: 'The selected pickup location is not offered.' });
      }
    } else {
      if (!checked.destination && !input.destination) {
        blockers.push({ code: 'address_invalid', message: 'A shipping address is required for these items.' });
      } else if (checked.destination && options.length === 0) {
        blockers.push({ code: 'address_invalid', message: `The merchant does not ship to ${checked.destination.country}${checked.destination.region ? ` (${checked.destination.region})` : ''}.` });
      }
      const option = selection?.kind === 'SHIPPING' ? options.find((o) => o.id === selection.optionId) : undefined;
      if (option) {
        shippingAmount = money(option.amountMinor, currency);
        selected = { kind: 'SHIPPING', id: option.id, label: option.label, amountMinor: option.amountMinor, taxMinor: 0, deliveryEstimate: option.deliveryEstimate };
      } else {
        blockers.push({
          code: 'shipping_not_selected',
          message: selection ? 'The selected shipping option is not available for this address.' : 'Choose a shipping option or a pickup location.',
        });
      }
    }
  }

  const taxRequest: TaxStageRequest = {
    merchantId, currency, pricesIncludeTax: input.config.tax.pricesIncludeTax, address: taxAddress, lines: discounted,
    shipping: selected && shippingAmount.amountMinor > 0 ? { id: selected.id, amount: shippingAmount } : null, config: input.config,
  };
  let tax: TaxStageResult;
  if (taxAddress) {
    tax = (yield { stage: 'tax', request: taxRequest }) as TaxStageResult;
  } else {
    // Nowhere to locate tax: no provider is asked; every line is taxed at 0 until there is an address.
    if (input.config.tax.rates.length > 0 || input.config.providers.tax.kind === 'HTTP') {
      if (!blockers.some((b) => b.code === 'address_invalid')) {
        blockers.push({ code: 'address_invalid', message: 'An address is needed to compute tax.' });
      }
    }
    tax = untaxed(taxRequest);
  }

  const calculatedLines = assembleLines(discounted, promotions, tax);
  const shippingTax = tax.taxLines.find((t) => t.target === 'SHIPPING');
  if (selected && shippingTax) selected = { ...selected, taxMinor: shippingTax.amountMinor };
  const totals = totalsOf(currency, input.config.tax.pricesIncludeTax, calculatedLines, shippingAmount, shippingTax?.amountMinor ?? 0);

  if (input.payment && !input.payment.supported.includes(input.payment.method)) {
    blockers.push({ code: 'payment_method_not_supported', message: `The payment method ${input.payment.method} is not accepted for this checkout.` });
  }

  return {
    fingerprint: fingerprintOf(input),
    calculatedAt: checked.at.toISOString(),
    currency,
    pricesIncludeTax: input.config.tax.pricesIncludeTax,
    lines: calculatedLines,
    promotions: promotions.applied,
    promotionsNotApplied: promotions.notApplied,
    taxLines: tax.taxLines,
    shippingOptions: options,
    pickupOptions: pickups.map(pickupOption),
    shipping: selected,
    shipments: planShipments(currency, calculatedLines, shippingAmount, shippingTax?.amountMinor ?? 0, input.config.tax.pricesIncludeTax),
    totals,
    blockers,
    rounding: ROUNDING_EXPLANATION,
  };
}

function untaxed(req: TaxStageRequest): TaxStageResult {
  return {
    taxLines: req.lines.map((l) => ({
      target: 'LINE' as const, lineId: l.id, country: null, region: null, category: l.taxCategory, basisPoints: 0,
      taxableBaseMinor: l.net.amountMinor, amountMinor: 0, inclusive: req.pricesIncludeTax, unroundedMinor: '0',
    })),
  };
}
