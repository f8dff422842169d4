// GraphQL adapter for inventory reservations and stock (seed 003 §5, §14; API.md setStock):
// check the principal, map arguments, call the service.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { ReservationService } from './reservation.service.js';
import { InventoryReservation, ReserveCheckoutInventoryInput, StockLevel } from './reservation.type.js';
import type { StockService } from './stock.service.js';

/** Who reserves: the session's merchant, an admin, the agent whose checkout made it. */
const RESERVING = ['MERCHANT', 'ADMIN', 'AGENT'] as const;

@Resolver(() => CheckoutSession)
export class ReservationResolver {
  constructor(
    private readonly reservations: ReservationService,
    private readonly stock: StockService,
  ) {}

  @Mutation(() => InventoryReservation, {
    description:
      "Holds stock for the session's lines (or `lines`) for `expiresInSeconds` by an allocation strategy; each line says what it asked and what is held (PARTIAL when short). " +
      'Replaces the session’s active reservation. Nothing can be held as the strategy asks: INVENTORY_SHORTFALL, nothing written. The session becomes RESERVED.',
  })
  async reserveCheckoutInventory(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('input', () => ReserveCheckoutInventoryInput, { nullable: true }) input: ReserveCheckoutInventoryInput | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<InventoryReservation> {
    requireKind(ctx.principal, ...RESERVING);
    return InventoryReservation.from(await this.reservations.reserve(ctx.principal, checkoutSessionId, input ?? {}, idempotencyKeyOf(ctx, null)));
  }

  @Query(() => InventoryReservation, { description: 'An inventory reservation of a session the caller may see; else RESERVATION_NOT_FOUND.' })
  async inventoryReservation(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<InventoryReservation> {
    requireKind(ctx.principal, ...RESERVING);
    return InventoryReservation.from(await this.reservations.get(ctx.principal, id));
  }

  @Mutation(() => InventoryReservation, { description: "Holds until now + expiresInSeconds (60..the merchant's longest; default its default), never shorter. An ended or expired hold: INVALID_STATE_TRANSITION." })
  async extendInventoryReservation(
    @Arg('id', () => ID) id: string,
    @Arg('expiresInSeconds', () => Int, { nullable: true }) expiresInSeconds: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<InventoryReservation> {
    requireKind(ctx.principal, ...RESERVING);
    return InventoryReservation.from(await this.reservations.extend(ctx.principal, id, expiresInSeconds, idempotencyKeyOf(ctx, null)));
  }

  @Mutation(() => InventoryReservation, { description: 'Gives the held stock back (RELEASED); one already ended is answered as it is.' })
  async releaseInventoryReservation(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<InventoryReservation> {
    requireKind(ctx.principal, ...RESERVING);
    return InventoryReservation.from(await this.reservations.release(ctx.principal, id, idempotencyKeyOf(ctx, null)));
  }

  @Query(() => [InventoryReservation], { description: "Seed 003 §14: the session's active holds (its reservation while held)." })
  async checkoutHolds(@Arg('checkoutSessionId', () => ID) checkoutSessionId: string, @Ctx() ctx: CheckoutContext): Promise<InventoryReservation[]> {
    requireKind(ctx.principal, ...RESERVING);
    return (await this.reservations.holdsOf(ctx.principal, checkoutSessionId)).map(InventoryReservation.from);
  }

  @Mutation(() => [InventoryReservation], { description: "Seed 003 §14: extends every active hold of the session (as extendInventoryReservation)." })
  async extendCheckoutHolds(
    @Arg('checkoutSessionId', () => ID) checkoutSessionId: string,
    @Arg('expiresInSeconds', () => Int, { nullable: true }) expiresInSeconds: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<InventoryReservation[]> {
    requireKind(ctx.principal, ...RESERVING);
    return (await this.reservations.extendHolds(ctx.principal, checkoutSessionId, expiresInSeconds, idempotencyKeyOf(ctx, null))).map(InventoryReservation.from);
  }

  @Mutation(() => StockLevel, {
    description: "Sets an offer's stock on hand (0..1e9) at a location (a pickup location's id; none: the merchant's default stock). Held units stay held. The offer's merchant or an admin.",
  })
  async setStock(
    @Arg('offerId', () => ID) offerId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Arg('locationId', () => ID, { nullable: true }) locationId: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<StockLevel> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return StockLevel.from(await this.stock.setStock(ctx.principal, offerId, quantity, locationId));
  }

  @Query(() => [StockLevel], { description: "An offer's stock per location (empty: not tracked, every reservation holds it in full). The offer's merchant or an admin." })
  async stockLevels(@Arg('offerId', () => ID) offerId: string, @Ctx() ctx: CheckoutContext): Promise<StockLevel[]> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return (await this.stock.levels(ctx.principal, offerId)).map(StockLevel.from);
  }

  @FieldResolver(() => ID, { nullable: true, description: "The session's latest inventory reservation (seed 003's reservation_id); null before it reserves." })
  reservationId(@Root() s: CheckoutSessionEntity): string | null {
    return s.reservationId ?? null;
  }

  @FieldResolver(() => InventoryReservation, { nullable: true, description: "The session's latest inventory reservation (see its status)." })
  async reservation(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<InventoryReservation | null> {
    if (!s.reservationId) return null;
    return InventoryReservation.from(await this.reservations.get(ctx.principal, s.reservationId));
  }
}
