// The GraphQL face of a merchant's tax configuration.
import type { TaxPricingConfig } from '@handoff/shared';
import { Field, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('TaxRate')
export class TaxRateType {
  @Field({ description: 'ISO 3166-1 alpha-2.' }) country: string;
  @Field(() => String, { nullable: true, description: 'Null: the whole country; a region rate wins for an address in it.' })
  region: string | null;
  @Field({ description: "The tax category (a rate given without one is the default category's)." }) category: string;
  @Field(() => Int, { description: '0..10000; 2000 = 20 %.' }) basisPoints: number;
}

@ObjectType('TaxConfig')
export class TaxConfigType {
  @Field({ description: 'true: prices (offers, line items) include tax; false: tax is added on top.' }) pricesIncludeTax: boolean;
  @Field({ description: 'The category of an offer or line item without one.' }) defaultCategory: string;
  @Field(() => [TaxRateType], { description: 'No rate for an address and category: taxed at 0.' }) rates: TaxRateType[];
  @Field(() => Date, { nullable: true, description: 'Null when never set.' }) updatedAt: Date | null;

  static from(config: TaxPricingConfig, updatedAt: Date | null): TaxConfigType {
    return Object.assign(new TaxConfigType(), {
      pricesIncludeTax: config.pricesIncludeTax,
      defaultCategory: config.defaultCategory,
      rates: config.rates.map((r) => Object.assign(new TaxRateType(), r)),
      updatedAt,
    });
  }
}

@InputType('TaxRateInput')
export class TaxRateInput {
  @Field() country: string;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true, description: 'Defaults to the default category.' }) category?: string | null;
  @Field(() => Int, { description: '0..10000.' }) basisPoints: number;
}

@InputType('TaxConfigInput', { description: 'Replaces the whole tax configuration.' })
export class TaxConfigInput {
  @Field() pricesIncludeTax: boolean;
  @Field(() => String, { nullable: true, description: 'Defaults to "standard".' }) defaultCategory?: string | null;
  @Field(() => [TaxRateInput], { nullable: true }) rates?: TaxRateInput[] | null;
}
