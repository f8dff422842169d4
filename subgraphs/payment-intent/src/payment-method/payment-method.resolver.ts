// GraphQL adapter for tokenizing a card (payment-method.service.ts): check the principal, map, call.
import { requireKind, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { PaymentMethodService } from './payment-method.service.js';

@InputType('CardInput', { description: 'A card to tokenize (sandbox only): never stored nor logged by Handoff.' })
export class CardInput {
  @Field(() => String) number: string;
  @Field(() => Int) expMonth: number;
  @Field(() => Int) expYear: number;
  @Field(() => String) cvc: string;
}

@ObjectType('TokenizedPaymentMethod')
export class TokenizedPaymentMethod {
  @Field(() => ID, { description: "The PSP's token (pm_…): attach it to an intent or confirm with it." })
  paymentMethodId: string;
}

@Resolver()
export class PaymentMethodResolver {
  constructor(private readonly methods: PaymentMethodService) {}

  @Mutation(() => TokenizedPaymentMethod, {
    description: "Sandbox only: the merchant's sandbox PSP vaults the card and answers its token (FORBIDDEN, tokenize:sandbox_only, at a live PSP). A merchant's key, or an admin naming the merchant.",
  })
  async tokenizeCard(
    @Arg('card', () => CardInput) card: CardInput,
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<TokenizedPaymentMethod> {
    const principal = requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return { paymentMethodId: await this.methods.tokenize(principal, merchantId, card) };
  }
}
