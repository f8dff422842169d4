// connectPaymentProcessor, Merchant.paymentConnector and the internal credentials query:
// check the principal, map arguments, call the service.
import { idempotencyKeyOf, requireKind, requireMerchantAccess } from '@handoff/shared';
import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { PaymentConnectorService } from './payment-connector.service.js';
import { ConnectPaymentProcessorInput, PaymentConnectorCredentialsType, PaymentConnectorType } from './payment-connector.type.js';

@Resolver(() => MerchantType)
export class PaymentConnectorResolver {
  constructor(private readonly service: PaymentConnectorService) {}

  @Mutation(() => PaymentConnectorType, {
    description: 'Admin, or the merchant itself. Replaces any connector; for TEST the result holds the new webhook secret, once.',
  })
  async connectPaymentProcessor(
    @Arg('merchantId', () => ID) merchantId: string,
    @Arg('input', () => ConnectPaymentProcessorInput) input: ConnectPaymentProcessorInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<PaymentConnectorType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, merchantId);
    const { connector, webhookSecret } = await this.service.connect(ctx.principal, merchantId, input, idempotencyKeyOf(ctx, idempotencyKey));
    return PaymentConnectorType.from(connector, webhookSecret);
  }

  @FieldResolver(() => PaymentConnectorType, {
    nullable: true,
    description: 'Null until connected, and for anyone but an admin or the merchant itself.',
  })
  async paymentConnector(@Root() merchant: MerchantType, @Ctx() ctx: MerchantContext): Promise<PaymentConnectorType | null> {
    const c = await ctx.loaders.connectors.load(merchant.id);
    return c && PaymentConnectorType.from(c);
  }

  @Query(() => PaymentConnectorCredentialsType, { nullable: true, description: "Internal: a merchant's decrypted PSP credentials." })
  @Directive('@inaccessible')
  async paymentConnectorCredentials(
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: MerchantContext,
  ): Promise<PaymentConnectorCredentialsType | null> {
    requireKind(ctx.principal, 'SERVICE');
    const found = await this.service.credentials(merchantId);
    return found && Object.assign(new PaymentConnectorCredentialsType(), found);
  }
}
