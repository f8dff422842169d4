// GraphQL adapter for a checkout session's addresses.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import type { AddressService } from './address.service.js';
import { CheckoutAddress, CheckoutAddressInput } from './address.type.js';

@Resolver(() => CheckoutSession)
export class AddressResolver {
  constructor(private readonly addresses: AddressService) {}

  @Mutation(() => CheckoutSession, {
    description:
      'Sets the shipping address: the country (ISO 3166-1) and the postal code (its format) are checked (BAD_USER_INPUT naming the field); ' +
      'the calculation becomes stale, and a shipping option chosen for another place is dropped.',
  })
  setCheckoutShippingAddress(
    @Arg('id', () => ID) id: string,
    @Arg('address', () => CheckoutAddressInput) address: CheckoutAddressInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.addresses.setShippingAddress(ctx.principal, id, address, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, { description: 'Sets the billing address (checked as the shipping address is).' })
  setCheckoutBillingAddress(
    @Arg('id', () => ID) id: string,
    @Arg('address', () => CheckoutAddressInput) address: CheckoutAddressInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.addresses.setBillingAddress(ctx.principal, id, address, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @FieldResolver(() => CheckoutAddress, { nullable: true })
  shippingAddress(@Root() session: CheckoutSessionEntity): CheckoutAddress | null {
    return CheckoutAddress.of(session.shippingAddress);
  }

  @FieldResolver(() => CheckoutAddress, { nullable: true })
  billingAddress(@Root() session: CheckoutSessionEntity): CheckoutAddress | null {
    return CheckoutAddress.of(session.billingAddress);
  }
}
