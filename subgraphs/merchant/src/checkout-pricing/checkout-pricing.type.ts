// The internal answer to checkoutPricingConfig (@inaccessible: absent from the public schema).
// Its shape is the contract in shared/src/contracts/pricing-config.contract.ts; shipping, tax
// and promotions reuse the public types, the providers carry their decrypted secrets.
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { PricingConcern, PricingProviderFallback, PricingProviderKind } from '../pricing-providers/pricing-provider.type.js';
import { PromotionType } from '../promotion/promotion.type.js';
import { ShippingConfigType } from '../shipping-config/shipping-config.type.js';
import { TaxConfigType } from '../tax-config/tax-config.type.js';
import { CheckoutRulesType } from '../checkout-settings/checkout-settings.type.js';

@ObjectType('PricingProviderCredentials')
@Directive('@inaccessible')
export class PricingProviderCredentialsType {
  @Field(() => PricingConcern) concern: PricingConcern;
  @Field(() => PricingProviderKind) kind: PricingProviderKind;
  @Field(() => String, { nullable: true }) endpointUrl: string | null;
  @Field(() => String, { nullable: true }) signingSecret: string | null;
  @Field(() => Int, { nullable: true }) timeoutMs: number | null;
  @Field(() => PricingProviderFallback, { nullable: true }) fallback: PricingProviderFallback | null;
}

@ObjectType('PricingProvidersConfig')
@Directive('@inaccessible')
export class PricingProvidersConfigType {
  @Field(() => PricingProviderCredentialsType) tax: PricingProviderCredentialsType;
  @Field(() => PricingProviderCredentialsType) shipping: PricingProviderCredentialsType;
  @Field(() => PricingProviderCredentialsType) promotions: PricingProviderCredentialsType;
  @Field(() => PricingProviderCredentialsType) inventory: PricingProviderCredentialsType;
}

@ObjectType('CheckoutPricingConfig')
@Directive('@inaccessible')
export class CheckoutPricingConfigType {
  @Field(() => ID) merchantId: string;
  @Field() currency: string;
  @Field(() => ShippingConfigType) shipping: ShippingConfigType;
  @Field(() => TaxConfigType) tax: TaxConfigType;
  @Field(() => [PromotionType], { description: 'Active and not ended.' }) promotions: PromotionType[];
  @Field(() => PricingProvidersConfigType) providers: PricingProvidersConfigType;
  @Field(() => CheckoutRulesType, { description: 'Settings, capabilities and transaction limits (checkout-settings.contract.ts).' }) checkout: CheckoutRulesType;
}
