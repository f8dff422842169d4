// GraphQL adapter for payment intents: maps arguments, calls the service, shapes the result.
import { money, MoneyType, toMoneyType, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Page } from '@handoff/shared';
import { PaymentIntentConnection, PaymentIntentFilter } from './payment-intent.list.type.js';
import { CheckoutSessionRef } from '../checkout-session/checkout-session.type.js';
import { MerchantRef } from '../federation/stubs.js';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentService } from './payment-intent.service.js';
import { PaymentProvider } from './payment-intent.enums.js';
import { PaymentEventType, PaymentIntent, SandboxTestCardType } from './payment-intent.type.js';
import { SANDBOX_TEST_CARDS } from '@handoff/psp-sandbox/test-cards';
import { RefundType } from '../refund/refund.type.js';
import { RefundService } from '../refund/refund.service.js';
import type { PaymentIntentClientSecrets } from './payment-intent.client-secret.js';

@Resolver(() => PaymentIntent)
export class PaymentIntentResolver {
  constructor(
    private readonly intents: PaymentIntentService,
    private readonly refunds: RefundService,
    private readonly clientSecrets: PaymentIntentClientSecrets,
  ) {}

  @Query(() => PaymentIntent, { nullable: true, description: 'A payment intent the caller may see, else null.' })
  paymentIntent(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity | null> {
    return this.intents.findVisible(ctx.principal, id);
  }

  @Query(() => PaymentIntentConnection, {
    description: 'The payments list, newest first (cursor pagination, first ≤ 100): admin all (filter.merchantId narrows), a merchant its own, an agent those paying its checkouts.',
  })
  paymentIntents(
    @Ctx() ctx: SubgraphContext,
    @Arg('filter', () => PaymentIntentFilter, { nullable: true }) filter?: PaymentIntentFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<Page<PaymentIntentEntity>> {
    return this.intents.list(ctx.principal, filter ?? null, first, after);
  }

  @FieldResolver(() => MoneyType)
  amount(@Root() intent: PaymentIntentEntity): MoneyType {
    return toMoneyType(money(intent.amountMinor, intent.currency));
  }

  @FieldResolver(() => MoneyType)
  amountCaptured(@Root() intent: PaymentIntentEntity): MoneyType {
    return toMoneyType(money(intent.amountCapturedMinor, intent.currency));
  }

  @FieldResolver(() => MoneyType)
  amountRefunded(@Root() intent: PaymentIntentEntity): MoneyType {
    return toMoneyType(money(intent.amountRefundedMinor, intent.currency));
  }

  @FieldResolver(() => [String])
  paymentMethodTypes(@Root() intent: PaymentIntentEntity): string[] {
    return intent.paymentMethodTypes ?? ['card'];
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() intent: PaymentIntentEntity): MerchantRef {
    return { id: intent.merchantId };
  }

  @FieldResolver(() => [PaymentEventType], { description: 'Every change, oldest first.' })
  async events(@Root() intent: PaymentIntentEntity): Promise<PaymentEventType[]> {
    return (await this.intents.timeline(intent.id)).map((e) => Object.assign(new PaymentEventType(), { type: e.type, at: e.createdAt, data: e.data }));
  }

  @FieldResolver(() => [RefundType], { name: 'refunds', description: 'Refunds, oldest first.' })
  async refundList(@Root() intent: PaymentIntentEntity): Promise<RefundType[]> {
    return (await this.refunds.listFor(intent.id)).map(RefundType.from);
  }

  @FieldResolver(() => [SandboxTestCardType], {
    nullable: true,
    description: "The sandbox PSP's test cards, when this intent is at the sandbox (provider TEST, test mode); null at a real PSP.",
  })
  sandboxTestCards(@Root() intent: PaymentIntentEntity): SandboxTestCardType[] | null {
    return intent.provider === PaymentProvider.TEST ? SANDBOX_TEST_CARDS.map((c) => Object.assign(new SandboxTestCardType(), c)) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "What a browser or app holds to read and confirm this intent without an API key (Authorization: Bearer <clientSecret>): the checkout session's client secret for a session's intent, the intent's own (pi_…_secret_…) for a standalone one. Null for an agent.",
  })
  clientSecret(@Root() intent: PaymentIntentEntity, @Ctx() ctx: SubgraphContext): string | null {
    return this.clientSecrets.of(ctx.principal, intent);
  }

  @FieldResolver(() => CheckoutSessionRef, { nullable: true })
  checkoutSession(@Root() intent: PaymentIntentEntity): CheckoutSessionRef | null {
    return intent.checkoutSessionId ? { id: intent.checkoutSessionId } : null;
  }
}
