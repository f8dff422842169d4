// The GraphQL face of a merchant's shipping configuration: what setShippingConfig takes and
// Merchant.shippingConfig (and the internal checkoutPricingConfig) answers.
import { MoneyInput, MoneyType, toMoneyType, type ShippingPricingConfig } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ShippingRateKind {
  FLAT = 'FLAT',
  PER_ITEM = 'PER_ITEM',
}
registerEnumType(ShippingRateKind, {
  name: 'ShippingRateKind',
  description: 'FLAT: the amount once per order. PER_ITEM: the amount times the number of items.',
});

export enum Weekday {
  MON = 'MON',
  TUE = 'TUE',
  WED = 'WED',
  THU = 'THU',
  FRI = 'FRI',
  SAT = 'SAT',
  SUN = 'SUN',
}
registerEnumType(Weekday, { name: 'Weekday' });

@ObjectType('ShippingRate', { description: 'A shipping option offered in a zone.' })
export class ShippingRateType {
  @Field(() => ID, { description: "The merchant's id for the option (kept across setShippingConfig calls when given)." }) id: string;
  @Field() label: string;
  @Field(() => ShippingRateKind) kind: ShippingRateKind;
  @Field(() => MoneyType, { description: 'Per order (FLAT) or per item (PER_ITEM).' }) amount: MoneyType;
  @Field(() => MoneyType, { nullable: true, description: 'Free when the subtotal after discounts is at least this.' })
  freeOver: MoneyType | null;
  @Field(() => String, { nullable: true }) carrier: string | null;
  @Field(() => String, { nullable: true }) serviceCode: string | null;
  @Field(() => Int, { nullable: true, description: 'Delivery estimate, business days.' }) minDays: number | null;
  @Field(() => Int, { nullable: true, description: 'Delivery estimate, business days.' }) maxDays: number | null;
}

@ObjectType('ShippingRegion')
export class ShippingRegionType {
  @Field({ description: 'ISO 3166-1 alpha-2.' }) country: string;
  @Field({ description: "Matched case-insensitively with an address's state." }) region: string;
}

@ObjectType('ShippingZone')
export class ShippingZoneType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => [String], { description: 'Whole countries, ISO 3166-1 alpha-2.' }) countries: string[];
  @Field(() => [ShippingRegionType], { description: 'Regions of a country; a region match wins over a whole-country one.' })
  regions: ShippingRegionType[];
  @Field(() => [ShippingRateType]) rates: ShippingRateType[];
}

@ObjectType('PickupAddress')
export class PickupAddressType {
  @Field() line1: string;
  @Field(() => String, { nullable: true }) line2: string | null;
  @Field() city: string;
  @Field(() => String, { nullable: true }) state: string | null;
  @Field(() => String, { nullable: true }) postalCode: string | null;
  @Field({ description: 'ISO 3166-1 alpha-2.' }) country: string;
}

@ObjectType('OpeningHours')
export class OpeningHoursType {
  @Field(() => Weekday) day: Weekday;
  @Field({ description: '"HH:MM", local time.' }) opens: string;
  @Field({ description: '"HH:MM", local time, after opens.' }) closes: string;
}

@ObjectType('PickupLocation', { description: 'A store where buyers collect their order, free.' })
export class PickupLocationType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => PickupAddressType) address: PickupAddressType;
  @Field(() => [OpeningHoursType]) openingHours: OpeningHoursType[];
}

@ObjectType('ShippingConfig')
export class ShippingConfigType {
  @Field(() => [ShippingZoneType]) zones: ShippingZoneType[];
  @Field(() => [PickupLocationType]) pickupLocations: PickupLocationType[];
  @Field(() => Date, { nullable: true, description: 'Null when never set (an empty configuration).' }) updatedAt: Date | null;

  static from(config: ShippingPricingConfig, updatedAt: Date | null): ShippingConfigType {
    return Object.assign(new ShippingConfigType(), {
      zones: config.zones.map((z) => ({
        ...z,
        regions: z.regions.map((r) => ({ ...r })),
        rates: z.rates.map((r) => ({
          ...r,
          amount: toMoneyType(r.amount),
          freeOver: r.freeOver && toMoneyType(r.freeOver),
        })),
      })),
      pickupLocations: config.pickupLocations.map((p) => ({ ...p, address: { ...p.address }, openingHours: p.openingHours.map((h) => ({ ...h })) })),
      updatedAt,
    });
  }
}

@InputType('ShippingRateInput')
export class ShippingRateInput {
  @Field(() => String, { nullable: true, description: 'Give one to keep the option stable across updates; generated otherwise.' })
  id?: string | null;
  @Field() label: string;
  @Field(() => ShippingRateKind, { nullable: true, description: 'Defaults to FLAT.' }) kind?: ShippingRateKind | null;
  @Field(() => MoneyInput, { description: "Zero or more, in the merchant's currency." }) amount: MoneyInput;
  @Field(() => MoneyInput, { nullable: true }) freeOver?: MoneyInput | null;
  @Field(() => String, { nullable: true }) carrier?: string | null;
  @Field(() => String, { nullable: true }) serviceCode?: string | null;
  @Field(() => Int, { nullable: true, description: 'With maxDays; 0..365, at most maxDays.' }) minDays?: number | null;
  @Field(() => Int, { nullable: true }) maxDays?: number | null;
}

@InputType('ShippingRegionInput')
export class ShippingRegionInput {
  @Field() country: string;
  @Field() region: string;
}

@InputType('ShippingZoneInput')
export class ShippingZoneInput {
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field() name: string;
  @Field(() => [String], { nullable: true }) countries?: string[] | null;
  @Field(() => [ShippingRegionInput], { nullable: true }) regions?: ShippingRegionInput[] | null;
  @Field(() => [ShippingRateInput]) rates: ShippingRateInput[];
}

@InputType('PickupAddressInput')
export class PickupAddressInput {
  @Field() line1: string;
  @Field(() => String, { nullable: true }) line2?: string | null;
  @Field() city: string;
  @Field(() => String, { nullable: true }) state?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
  @Field() country: string;
}

@InputType('OpeningHoursInput')
export class OpeningHoursInput {
  @Field(() => Weekday) day: Weekday;
  @Field() opens: string;
  @Field() closes: string;
}

@InputType('PickupLocationInput')
export class PickupLocationInput {
  @Field(() => String, { nullable: true }) id?: string | null;
  @Field() name: string;
  @Field(() => PickupAddressInput) address: PickupAddressInput;
  @Field(() => [OpeningHoursInput], { nullable: true }) openingHours?: OpeningHoursInput[] | null;
}

@InputType('ShippingConfigInput', { description: 'Replaces the whole shipping configuration.' })
export class ShippingConfigInput {
  @Field(() => [ShippingZoneInput]) zones: ShippingZoneInput[];
  @Field(() => [PickupLocationInput], { nullable: true }) pickupLocations?: PickupLocationInput[] | null;
}
