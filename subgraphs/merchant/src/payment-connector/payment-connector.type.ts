// The GraphQL face of a payment connector. `webhookSecret` is filled only in the result of
// connectPaymentProcessor for TEST (where Handoff generates it); every later read shows null.
// PaymentConnectorCredentials is internal (@inaccessible), for Handoff's own services.
import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import type { PaymentConnectorEntity } from './payment-connector.entity.js';
import { PaymentProvider } from './payment-provider.js';

@ObjectType('PaymentConnector')
export class PaymentConnectorType {
  @Field(() => PaymentProvider) provider: PaymentProvider;
  @Field({ description: '"connected".' }) status: string;
  @Field() connectedAt: Date;
  @Field(() => String, {
    nullable: true,
    description: 'The webhook signing secret (whsec_…): only in the connectPaymentProcessor result for TEST.',
  })
  webhookSecret: string | null;
  @Field({ description: 'Whether a webhook signing secret is on file.' }) hasWebhookSecret: boolean;
  @Field(() => String, { nullable: true, description: 'STRIPE: the publishable key the hosted page uses (public); null when none was given.' })
  publishableKey: string | null;

  static from(c: PaymentConnectorEntity, webhookSecret: string | null = null): PaymentConnectorType {
    return Object.assign(new PaymentConnectorType(), {
      provider: c.provider,
      status: c.status,
      connectedAt: c.connectedAt,
      webhookSecret,
      hasWebhookSecret: c.webhookSecretCiphertext !== null,
      publishableKey: c.publishableKey ?? null,
    });
  }
}

@InputType('ConnectPaymentProcessorInput')
export class ConnectPaymentProcessorInput {
  @Field(() => PaymentProvider) provider: PaymentProvider;
  @Field(() => String, { nullable: true, description: 'STRIPE only, required: sk_test_…, sk_live_… or rk_… key.' })
  secretKey?: string | null;
  @Field(() => String, { nullable: true, description: "STRIPE only, optional: the Stripe endpoint's whsec_… secret." })
  webhookSecret?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'STRIPE only: the publishable key (pk_test_… or pk_live_…, the same mode as secretKey). The hosted page collects cards with Stripe.js under it; without it the hosted page cannot take cards.',
  })
  publishableKey?: string | null;
}

@ObjectType('PaymentConnectorCredentials')
@Directive('@inaccessible')
export class PaymentConnectorCredentialsType {
  @Field(() => ID) merchantId: string;
  @Field(() => PaymentProvider) provider: PaymentProvider;
  @Field(() => String, { nullable: true }) secretKey: string | null;
  @Field(() => String, { nullable: true }) webhookSecret: string | null;
}
