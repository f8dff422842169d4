// GraphQL adapter of delegated payments (issue 21 item 2): the agent platform's key only.
import { idempotencyKeyOf, requireKind, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { DelegatedTokenEntity } from './delegated-token.entity.js';
import type { DelegatedPayments } from './delegated-pay.service.js';
import type { DelegatedVault } from './delegated-vault.service.js';
import {
  DelegatedPaymentResult,
  DelegatedPaymentToken,
  DelegatePaymentInput,
  DelegatePaymentPayload,
  PayCheckoutWithDelegatedPaymentInput,
} from './delegated-payment.types.js';

export function tokenView(t: DelegatedTokenEntity): DelegatedPaymentToken {
  return {
    id: t.id,
    created: t.createdAt,
    metadata: t.metadata,
    status: t.status,
    allowance: { reason: t.reason, maxAmountMinor: t.maxAmountMinor, currency: t.currency, checkoutSessionId: t.checkoutSessionId, merchantId: t.merchantId, expiresAt: t.expiresAt },
    card: { brand: t.cardBrand, last4: t.cardLast4, funding: t.cardFunding },
    paymentIntentId: t.paymentIntentId,
    consumedAt: t.consumedAt,
    declinedAttempts: t.declinedAttempts,
  };
}

@Resolver()
export class DelegatedPaymentResolver {
  constructor(
    private readonly vault: DelegatedVault,
    private readonly payments: DelegatedPayments,
  ) {}

  @Mutation(() => DelegatePaymentPayload, {
    description:
      "ACP delegate_payment (agent key): vaults the card at the allowance's merchant's PSP and answers a vt_… token usable once, within the allowance (max amount, currency, expiry, merchant, checkout session).",
  })
  async delegatePayment(
    @Arg('input', () => DelegatePaymentInput) input: DelegatePaymentInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<DelegatePaymentPayload> {
    const principal = requireKind(ctx.principal, 'AGENT');
    const { token, replayed } = await this.vault.delegate(principal, input, idempotencyKeyOf(ctx, idempotencyKey));
    return { token: tokenView(token), replayed };
  }

  @Mutation(() => DelegatedPaymentResult, {
    description:
      "Pays a checkout session with a delegated token (agent key, the token's agent): the session's total must be within the allowance; the session's own payment is confirmed once (concurrent calls charge once; a decline leaves the token usable).",
  })
  async payCheckoutWithDelegatedPayment(
    @Arg('input', () => PayCheckoutWithDelegatedPaymentInput) input: PayCheckoutWithDelegatedPaymentInput,
    @Ctx() ctx: SubgraphContext,
  ): Promise<DelegatedPaymentResult> {
    const principal = requireKind(ctx.principal, 'AGENT');
    const paid = await this.payments.pay(principal, input.checkoutSessionId, input.token, idempotencyKeyOf(ctx, input.idempotencyKey));
    return { paymentIntent: paid.paymentIntent, checkoutSession: { id: paid.checkoutSessionId }, token: tokenView(paid.token) };
  }
}
