// What a merchant may send as its shipping configuration. Pure: the merchant's currency is
// passed in. Countries are ISO 3166-1 alpha-2; a country or region belongs to one zone at most;
// ids are unique (rates across all zones, pickup locations among themselves).
import { badUserInput, type MoneyInput, type PickupLocationConfig, type ShippingPricingConfig, type ShippingRateConfig, type ShippingZoneConfig, type Weekday } from '@handoff/shared';
import { ulid } from 'ulid';
import { optionalText, requiredText } from '../input.js';
import { normalizeCountry } from '../merchant/merchant.validation.js';
import { boundedList, configAmount, configId, optionalConfigAmount, optionalInt } from '../checkout-pricing/pricing.validation.js';

export const MAX_ZONES = 50;
export const MAX_RATES_PER_ZONE = 20;
export const MAX_REGIONS_PER_ZONE = 200;
export const MAX_PICKUP_LOCATIONS = 50;
export const MAX_DELIVERY_DAYS = 365;
export const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface ShippingRateSpec {
  id?: string | null;
  label: string;
  kind?: string | null;
  amount: MoneyInput;
  freeOver?: MoneyInput | null;
  carrier?: string | null;
  serviceCode?: string | null;
  minDays?: number | null;
  maxDays?: number | null;
}

export interface ShippingZoneSpec {
  id?: string | null;
  name: string;
  countries?: string[] | null;
  regions?: Array<{ country: string; region: string }> | null;
  rates: ShippingRateSpec[];
}

export interface PickupLocationSpec {
  id?: string | null;
  name: string;
  address: {
    line1: string;
    line2?: string | null;
    city: string;
    state?: string | null;
    postalCode?: string | null;
    country: string;
  };
  openingHours?: Array<{ day: string; opens: string; closes: string }> | null;
}

export interface ShippingConfigSpec {
  zones: ShippingZoneSpec[];
  pickupLocations?: PickupLocationSpec[] | null;
}

const generated = (prefix: string) => () => `${prefix}_${ulid().toLowerCase()}`;

export function validateShippingConfig(input: ShippingConfigSpec, currency: string): ShippingPricingConfig {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const zoneIds = new Set<string>();
  const rateIds = new Set<string>();
  const countryZone = new Map<string, string>();
  const regionZone = new Map<string, string>();
  const zones = boundedList(input.zones, 'input.zones', MAX_ZONES).map((z, i) => {
    const zone = validateZone(z, `input.zones[${i}]`, currency, rateIds);
    if (zoneIds.has(zone.id)) throw badUserInput(`input.zones[${i}].id`, `${zone.id} is used by another zone.`);
    zoneIds.add(zone.id);
    zone.countries.forEach((c, j) => {
      const other = countryZone.get(c);
      if (other !== undefined) throw badUserInput(`input.zones[${i}].countries[${j}]`, `${c} is already in zone "${other}".`);
      countryZone.set(c, zone.name);
    });
    zone.regions.forEach((r, j) => {
      const key = `${r.country}:${r.region.toUpperCase()}`;
      const other = regionZone.get(key);
      if (other !== undefined) throw badUserInput(`input.zones[${i}].regions[${j}]`, `${r.country} ${r.region} is already in zone "${other}".`);
      regionZone.set(key, zone.name);
    });
    return zone;
  });
  const pickupIds = new Set<string>();
  const pickupLocations = boundedList(input.pickupLocations, 'input.pickupLocations', MAX_PICKUP_LOCATIONS).map((p, i) => {
    const location = validatePickup(p, `input.pickupLocations[${i}]`);
    if (pickupIds.has(location.id)) throw badUserInput(`input.pickupLocations[${i}].id`, `${location.id} is used by another pickup location.`);
    pickupIds.add(location.id);
    return location;
  });
  return { zones, pickupLocations };
}

function validateZone(z: ShippingZoneSpec, field: string, currency: string, rateIds: Set<string>): ShippingZoneConfig {
  if (!z || typeof z !== 'object') throw badUserInput(field, 'is required.');
  const countries = [...new Set(boundedList(z.countries, `${field}.countries`, 250).map((c, j) => normalizeCountry(c, `${field}.countries[${j}]`)))];
  const regions = boundedList(z.regions, `${field}.regions`, MAX_REGIONS_PER_ZONE).map((r, j) => ({
    country: normalizeCountry(r?.country, `${field}.regions[${j}].country`),
    region: requiredText(r?.region, `${field}.regions[${j}].region`, 100),
  }));
  if (countries.length === 0 && regions.length === 0) throw badUserInput(`${field}.countries`, 'a zone needs at least one country or region.');
  const rates = boundedList(z.rates, `${field}.rates`, MAX_RATES_PER_ZONE, 1).map((r, j) => {
    const rate = validateRate(r, `${field}.rates[${j}]`, currency);
    if (rateIds.has(rate.id)) throw badUserInput(`${field}.rates[${j}].id`, `${rate.id} is used by another rate.`);
    rateIds.add(rate.id);
    return rate;
  });
  return { id: configId(z.id, `${field}.id`, generated('zone')), name: requiredText(z.name, `${field}.name`, 100), countries, regions, rates };
}

function validateRate(r: ShippingRateSpec, field: string, currency: string): ShippingRateConfig {
  if (!r || typeof r !== 'object') throw badUserInput(field, 'is required.');
  const kind = r.kind ?? 'FLAT';
  if (kind !== 'FLAT' && kind !== 'PER_ITEM') throw badUserInput(`${field}.kind`, 'must be FLAT or PER_ITEM.');
  const minDays = optionalInt(r.minDays, `${field}.minDays`, 0, MAX_DELIVERY_DAYS);
  const maxDays = optionalInt(r.maxDays, `${field}.maxDays`, 0, MAX_DELIVERY_DAYS);
  if ((minDays === null) !== (maxDays === null)) throw badUserInput(`${field}.maxDays`, 'minDays and maxDays are given together or not at all.');
  if (minDays !== null && maxDays !== null && minDays > maxDays) throw badUserInput(`${field}.minDays`, 'must not be more than maxDays.');
  return {
    id: configId(r.id, `${field}.id`, generated('rate')),
    label: requiredText(r.label, `${field}.label`, 100),
    kind,
    amount: configAmount(r.amount, `${field}.amount`, currency),
    freeOver: optionalConfigAmount(r.freeOver, `${field}.freeOver`, currency, true),
    carrier: optionalText(r.carrier, `${field}.carrier`, 100) ?? null,
    serviceCode: optionalText(r.serviceCode, `${field}.serviceCode`, 100) ?? null,
    minDays,
    maxDays,
  };
}

function validatePickup(p: PickupLocationSpec, field: string): PickupLocationConfig {
  if (!p || typeof p !== 'object') throw badUserInput(field, 'is required.');
  const a = p.address;
  if (!a || typeof a !== 'object') throw badUserInput(`${field}.address`, 'is required.');
  const openingHours = boundedList(p.openingHours, `${field}.openingHours`, 21).map((h, j) => {
    const f = `${field}.openingHours[${j}]`;
    if (!WEEKDAYS.includes(h?.day as Weekday)) throw badUserInput(`${f}.day`, `must be one of ${WEEKDAYS.join(', ')}.`);
    for (const k of ['opens', 'closes'] as const) {
      if (typeof h[k] !== 'string' || !TIME.test(h[k])) throw badUserInput(`${f}.${k}`, 'must be a 24-hour time "HH:MM".');
    }
    if (h.opens >= h.closes) throw badUserInput(`${f}.closes`, 'must be after opens.');
    return { day: h.day as Weekday, opens: h.opens, closes: h.closes };
  });
  return {
    id: configId(p.id, `${field}.id`, generated('pickup')),
    name: requiredText(p.name, `${field}.name`, 100),
    address: {
      line1: requiredText(a.line1, `${field}.address.line1`),
      line2: optionalText(a.line2, `${field}.address.line2`) ?? null,
      city: requiredText(a.city, `${field}.address.city`, 100),
      state: optionalText(a.state, `${field}.address.state`, 100) ?? null,
      postalCode: optionalText(a.postalCode, `${field}.address.postalCode`, 20) ?? null,
      country: normalizeCountry(a.country, `${field}.address.country`),
    },
    openingHours,
  };
}
