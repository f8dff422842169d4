// The GraphQL face of a checkout session's shipping: the options for its address, the pickup
// locations, the buyer's selection and the shipment plan. Named Checkout… so they do not clash
// with the merchant subgraph's configuration types (ShippingRate, PickupLocation).
import { MoneyType } from '@handoff/shared';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CheckoutDeliveryEstimate, CheckoutShipment, CheckoutShippingKind } from '../session-calculation/session-calculation.type.js';

export enum CheckoutShipmentPlanKind {
  SPLIT = 'SPLIT',
  SINGLE = 'SINGLE',
}
registerEnumType(CheckoutShipmentPlanKind, {
  name: 'CheckoutShipmentPlanKind',
  description: 'SPLIT: one shipment per fulfilment location (the default). SINGLE: everything in one shipment.',
});

@ObjectType('CheckoutShippingOption', { description: "One of the merchant's shipping options for the session's address and items." })
export class CheckoutShippingOption {
  @Field(() => ID) id: string;
  @Field() label: string;
  @Field(() => String, { nullable: true }) carrier: string | null;
  @Field(() => String, { nullable: true }) serviceCode: string | null;
  @Field(() => MoneyType) amount: MoneyType;
  @Field({ description: "True when the order's subtotal made it free." }) free: boolean;
  @Field(() => CheckoutDeliveryEstimate, { nullable: true }) deliveryEstimate: CheckoutDeliveryEstimate | null;
}

@ObjectType('CheckoutPickupOption', { description: 'A store the buyer may collect from (free, whatever the address).' })
export class CheckoutPickupOption {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() country: string;
  @Field(() => String, { nullable: true }) region: string | null;
  @Field(() => String, { nullable: true }) postalCode: string | null;
}

@ObjectType('CheckoutShippingSelection', { description: 'What the buyer chose; its price is in the calculation (CheckoutCalculation.shipping).' })
export class CheckoutShippingSelection {
  @Field(() => CheckoutShippingKind) kind: CheckoutShippingKind;
  @Field(() => ID, { description: 'The shipping option id, or the pickup location id.' }) id: string;
}

@ObjectType('CheckoutShipmentPlan', { description: 'How the items ship: grouped by fulfilment location, each shipment with its totals.' })
export class CheckoutShipmentPlan {
  @Field(() => CheckoutShipmentPlanKind) kind: CheckoutShipmentPlanKind;
  @Field({ description: 'False when the plan comes from a fresh pricing pass (the session has no calculation, or it is stale).' }) calculated: boolean;
  @Field(() => [CheckoutShipment]) shipments: CheckoutShipment[];
}

@InputType('CheckoutShippingSelectionInput', { description: 'Exactly one of shippingOptionId and pickupLocationId.' })
export class CheckoutShippingSelectionInput {
  @Field(() => ID, { nullable: true, description: 'One of CheckoutSession.shippingOptions for its address.' }) shippingOptionId?: string | null;
  @Field(() => ID, { nullable: true, description: 'One of CheckoutSession.pickupOptions.' }) pickupLocationId?: string | null;
}
