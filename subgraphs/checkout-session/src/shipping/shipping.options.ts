// The built-in shipping stage: the options of the one zone that matches the destination (a zone
// naming the address's region wins over one listing its whole country, as the pricing contract
// says; regions compare case-insensitively), priced per rate:
// - FLAT: the rate's amount once per order;
// - PER_ITEM: the amount × the total quantity of the lines that need shipping;
// - free (amount 0, `free: true`) when the order's subtotal after discounts reaches `freeOver`.
// Rates in another currency than the session's are left out. Pickup locations are always offered.
import { compare, money, type PickupLocationConfig, type ShippingRateConfig, type ShippingZoneConfig } from '@handoff/shared';
import type { PickupOption, ShippingOption } from '../calculation/calculation.types.js';
import type { PricingAddress, ShippingStageRequest, ShippingStageResult } from '../calculation/stages.js';
import { deliveryEstimate } from './delivery-estimate.js';

const same = (a: string | null, b: string | null) => a !== null && b !== null && a.toUpperCase() === b.toUpperCase();

/** The zone that ships to `address`, or null. */
export function matchZone(zones: readonly ShippingZoneConfig[], address: PricingAddress): ShippingZoneConfig | null {
  const byRegion = zones.find((z) => z.regions.some((r) => r.country.toUpperCase() === address.country && same(r.region, address.region)));
  return byRegion ?? zones.find((z) => z.countries.some((c) => c.toUpperCase() === address.country)) ?? null;
}

function priceRate(rate: ShippingRateConfig, req: ShippingStageRequest, at: Date): ShippingOption | null {
  if (rate.amount.currency !== req.currency || (rate.freeOver && rate.freeOver.currency !== req.currency)) return null;
  const quantity = req.lines.filter((l) => l.requiresShipping).reduce((n, l) => n + l.quantity, 0);
  const charged =
    rate.kind === 'PER_ITEM' ? money(BigInt(rate.amount.amountMinor) * BigInt(quantity), req.currency) : money(rate.amount.amountMinor, req.currency);
  const free = rate.freeOver !== null && compare(req.discountedSubTotal, money(rate.freeOver.amountMinor, req.currency)) >= 0;
  return {
    id: rate.id,
    label: rate.label,
    carrier: rate.carrier,
    serviceCode: rate.serviceCode,
    amountMinor: free ? 0 : charged.amountMinor,
    free,
    deliveryEstimate: deliveryEstimate(rate.minDays, rate.maxDays, at, req.includeDeliveryDates),
  };
}

export function builtInShippingOptions(req: ShippingStageRequest): ShippingStageResult {
  if (!req.destination) return { options: [] };
  const zone = matchZone(req.config.shipping.zones, req.destination);
  if (!zone) return { options: [] };
  const at = new Date(req.at);
  return { options: zone.rates.map((r) => priceRate(r, req, at)).filter((o): o is ShippingOption => o !== null) };
}

export const pickupOption = (p: PickupLocationConfig): PickupOption => ({
  id: p.id,
  name: p.name,
  country: p.address.country,
  region: p.address.state,
  postalCode: p.address.postalCode,
});
