// GraphQL inputs of an agent's own checkout session (the ACP adapter's create and items update):
// lines named by offer id and quantity; the price, name and tax category come from the offer.
import { Field, ID, InputType, Int } from 'type-graphql';
import { CheckoutAddressInput } from '../address/address.type.js';
import { CheckoutCustomerInput } from '../customer/customer.type.js';

@InputType('AgentCheckoutLineInput')
export class AgentCheckoutLineInput {
  @Field(() => ID, { description: "One of the merchant's active offers." }) offerId: string;
  @Field(() => Int, { description: '1 to 999.' }) quantity: number;
}

@InputType('CreateAgentCheckoutSessionInput')
export class CreateAgentCheckoutSessionInput {
  @Field(() => ID, { description: 'The (active) merchant the agent buys from.' }) merchantId: string;
  @Field(() => [AgentCheckoutLineInput], { description: '1 to 100 lines; every offer must be the merchant\'s, active, in one currency.' })
  lineItems: AgentCheckoutLineInput[];
  @Field(() => String, { nullable: true, description: "ISO 4217; when given, the offers' currency must be it (BAD_USER_INPUT otherwise, nothing written)." })
  currency?: string | null;
  @Field(() => CheckoutCustomerInput, { nullable: true, description: "The buyer's email and phone (setCheckoutCustomer's rules), set at once." })
  customer?: CheckoutCustomerInput | null;
  @Field(() => CheckoutAddressInput, { nullable: true, description: "The shipping address (setCheckoutShippingAddress's rules), set at once; the session is priced for it." })
  shippingAddress?: CheckoutAddressInput | null;
  @Field(() => String, {
    nullable: true,
    description: 'With shippingAddress: the shipping option to select (BAD_USER_INPUT unless offered for the address and items, nothing written). Without it, the first option offered is selected.',
  })
  shippingOptionId?: string | null;  @Field(() => Boolean, {
    nullable: true,
    description: 'true: no payment intent yet; prepareAgentCheckoutPayment creates it when the session is paid (the ACP routes do). Default false: created at once.',
  })
  deferPaymentIntent?: boolean | null;
}

@InputType('UpdateAgentCheckoutSessionInput', { description: 'Only the parts given change; the session is priced once after them.' })
export class UpdateAgentCheckoutSessionInput {
  @Field(() => [AgentCheckoutLineInput], { nullable: true, description: "The lines, replaced (setAgentCheckoutLineItems' rules)." })
  lineItems?: AgentCheckoutLineInput[] | null;
  @Field(() => CheckoutCustomerInput, { nullable: true, description: "The buyer's details (setCheckoutCustomer's rules)." })
  customer?: CheckoutCustomerInput | null;
  @Field(() => CheckoutAddressInput, { nullable: true, description: "The shipping address (setCheckoutShippingAddress's rules: a new place drops the shipping selection)." })
  shippingAddress?: CheckoutAddressInput | null;
  @Field(() => String, {
    nullable: true,
    description: 'The shipping option to select (BAD_USER_INPUT unless offered for the address and items, nothing written). Without it, the selection kept, else the first option offered.',
  })
  shippingOptionId?: string | null;
}
