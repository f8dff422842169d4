// GraphQL adapter for a checkout session's shipping.
import { idempotencyKeyOf, money, requireKind, toMoneyType } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { deliveryEstimateOf, shipmentOf, type CheckoutShippingKind } from '../session-calculation/session-calculation.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import type { SessionShippingService } from './session-shipping.service.js';
import {
  CheckoutPickupOption,
  CheckoutShipmentPlan,
  CheckoutShipmentPlanKind,
  CheckoutShippingOption,
  CheckoutShippingSelection,
  CheckoutShippingSelectionInput,
} from './session-shipping.type.js';

@Resolver(() => CheckoutSession)
export class SessionShippingResolver {
  constructor(private readonly shipping: SessionShippingService) {}

  @Mutation(() => CheckoutSession, {
    description:
      'Chooses a shipping option offered for the session’s address (or a pickup location); anything else is BAD_USER_INPUT ' +
      '(reason shipping:not_offered), nothing written. The calculation becomes stale.',
  })
  selectCheckoutShipping(
    @Arg('id', () => ID) id: string,
    @Arg('selection', () => CheckoutShippingSelectionInput) selection: CheckoutShippingSelectionInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.shipping.select(ctx.principal, id, selection, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, { description: 'Chooses how the items ship: SPLIT by fulfilment location, or SINGLE. The calculation becomes stale.' })
  selectCheckoutShipmentPlan(
    @Arg('id', () => ID) id: string,
    @Arg('plan', () => CheckoutShipmentPlanKind) plan: CheckoutShipmentPlanKind,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.shipping.selectPlan(ctx.principal, id, plan, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @FieldResolver(() => [CheckoutShippingOption], { description: 'The merchant’s options for the session’s shipping address and items (none without an address); read anew each time, nothing written.' })
  async shippingOptions(
    @Root() s: CheckoutSessionEntity,
    @Arg('includeEstimatedDeliveryDates', () => Boolean, { nullable: true }) withDates: boolean | null,
  ): Promise<CheckoutShippingOption[]> {
    const { shippingOptions } = await this.shipping.offer(s, withDates === true);
    return shippingOptions.map((o) => ({
      id: o.id,
      label: o.label,
      carrier: o.carrier,
      serviceCode: o.serviceCode,
      amount: toMoneyType(money(o.amountMinor, s.currency)),
      free: o.free,
      deliveryEstimate: deliveryEstimateOf(o.deliveryEstimate),
    }));
  }

  @FieldResolver(() => [CheckoutPickupOption], { description: "The merchant's pickup locations." })
  async pickupOptions(@Root() s: CheckoutSessionEntity): Promise<CheckoutPickupOption[]> {
    const { pickupOptions } = await this.shipping.offer(s, false);
    return pickupOptions.map((p) => ({ id: p.id, name: p.name, country: p.country, region: p.region, postalCode: p.postalCode }));
  }

  @FieldResolver(() => CheckoutShippingSelection, { nullable: true })
  selectedShipping(@Root() s: CheckoutSessionEntity): CheckoutShippingSelection | null {
    return s.selectedShipping ? { kind: s.selectedShipping.kind as CheckoutShippingKind, id: s.selectedShipping.id } : null;
  }

  @FieldResolver(() => CheckoutShipmentPlan, { description: 'The shipment plan with per-shipment totals (the current calculation’s, or a fresh pass when it is stale).' })
  async shipmentPlan(@Root() s: CheckoutSessionEntity): Promise<CheckoutShipmentPlan> {
    const { kind, calculated, calculation } = await this.shipping.plan(s);
    const m = (minor: number) => toMoneyType(money(minor, calculation.currency));
    return { kind: kind as CheckoutShipmentPlanKind, calculated, shipments: calculation.shipments.map((x) => shipmentOf(x, m)) };
  }
}
