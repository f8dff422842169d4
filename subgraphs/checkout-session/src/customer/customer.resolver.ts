// GraphQL adapter for a checkout session's customer.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import type { CustomerService } from './customer.service.js';
import { CheckoutCustomer, CheckoutCustomerInput } from './customer.type.js';

@Resolver(() => CheckoutSession)
export class CustomerResolver {
  constructor(private readonly customers: CustomerService) {}

  @Mutation(() => CheckoutSession, { description: 'Sets the customer and contact details (seed 003 customer and contact); a left-out field keeps its value, null clears it.' })
  setCheckoutCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('customer', () => CheckoutCustomerInput) customer: CheckoutCustomerInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.customers.setCustomer(ctx.principal, id, customer, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @FieldResolver(() => CheckoutCustomer, { description: 'The buyer’s contact details as given (the hosted page does not see customerId).' })
  customer(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): CheckoutCustomer {
    return {
      email: s.customerEmail,
      phone: s.customerPhone ?? null,
      customerId: ctx.principal.kind === 'CLIENT' ? null : (s.customerId ?? null),
      saveForLater: s.customerSaveForLater ?? false,
    };
  }
}
