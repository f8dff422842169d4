// GraphQL adapter for KYC: start (or find) a checkout's identity verification.
import type { SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KycService } from './kyc.service.js';
import { KycVerificationType } from './risk.type.js';

@Resolver(() => KycVerificationType)
export class KycResolver {
  constructor(private readonly kyc: KycService) {}

  @Mutation(() => KycVerificationType, {
    description: "Starts the identity verification (KYC) of the checkout's buyer at the KYC provider, or answers the session's open one; send the buyer to verificationUrl.",
  })
  async startCheckoutKyc(@Arg('checkoutSessionId', () => ID) checkoutSessionId: string, @Ctx() ctx: SubgraphContext): Promise<KycVerificationType> {
    return KycVerificationType.from(await this.kyc.start(ctx.principal, checkoutSessionId));
  }
}
