// Merchant.hostedPage: what the hosted checkout page needs to know of its merchant, public as the
// page itself is (the client secret's allow-list lets the page read it): whether the merchant may
// use the page at all (its hostedPages capability; off: the page answers CAPABILITY_DISABLED),
// and, for a STRIPE connector, the publishable key the page loads Stripe.js with.
import { Field, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import type { CheckoutSettingsService } from '../checkout-settings/checkout-settings.service.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { PaymentConnectorService } from '../payment-connector/payment-connector.service.js';

@ObjectType('MerchantHostedPage', { description: "What the hosted checkout page needs of its merchant (public, as the page is)." })
export class MerchantHostedPageType {
  @Field({ description: "The merchant's hostedPages capability: false, the hosted page refuses (CAPABILITY_DISABLED)." }) enabled: boolean;
  @Field(() => String, {
    nullable: true,
    description: "STRIPE: the connector's publishable key; the page collects the card with Stripe.js (Payment Element) under it. Null for the sandbox (TEST) or when none was given.",
  })
  stripePublishableKey: string | null;
}

@Resolver(() => MerchantType)
export class HostedPageResolver {
  constructor(
    private readonly settings: CheckoutSettingsService,
    private readonly connectors: PaymentConnectorService,
  ) {}

  @FieldResolver(() => MerchantHostedPageType, { description: "What the hosted checkout page needs of this merchant: public, as the page itself is." })
  async hostedPage(@Root() merchant: MerchantType): Promise<MerchantHostedPageType> {
    const [capabilities, stripePublishableKey] = await Promise.all([this.settings.capabilities(merchant.id), this.connectors.publishableKey(merchant.id)]);
    return Object.assign(new MerchantHostedPageType(), { enabled: capabilities.value.hostedPages, stripePublishableKey });
  }
}
