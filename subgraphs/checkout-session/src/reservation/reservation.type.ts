// The GraphQL face of inventory reservations and stock levels.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { reservationStatus, type ReservationRecord } from './reservation.model.js';
import type { StockLevelRecord } from './stock.service.js';

export enum InventoryReservationStatus {
  RESERVED = 'RESERVED',
  PARTIAL = 'PARTIAL',
  RELEASED = 'RELEASED',
  EXPIRED = 'EXPIRED',
  CONVERTED = 'CONVERTED',
}
registerEnumType(InventoryReservationStatus, {
  name: 'InventoryReservationStatus',
  description: 'RESERVED: every line held in full; PARTIAL: some line held in part (show the buyer); then RELEASED, EXPIRED or CONVERTED (taken for the order).',
});

export enum InventoryAllocationStrategy {
  BEST_FIT = 'BEST_FIT',
  ALL_OR_NOTHING = 'ALL_OR_NOTHING',
  SINGLE_LOCATION = 'SINGLE_LOCATION',
}
registerEnumType(InventoryAllocationStrategy, {
  name: 'InventoryAllocationStrategy',
  description:
    'BEST_FIT (default): hold what is available, from any locations, a short line in part (PARTIAL). ALL_OR_NOTHING: every line in full from any locations, or nothing. ' +
    'SINGLE_LOCATION: every line in full from one location, or nothing. Nothing held: INVENTORY_SHORTFALL.',
});

@ObjectType('InventoryAllocation', { description: 'Where held units come from.' })
export class InventoryAllocation {
  @Field(() => ID, { nullable: true, description: "A pickup location's id; null: the merchant's default stock." }) locationId: string | null;
  @Field(() => Int) quantity: number;
}

@ObjectType('InventoryReservationLine')
export class InventoryReservationLine {
  @Field(() => ID, { nullable: true, description: 'Null for a line without an offer (not stocked).' }) offerId: string | null;
  @Field(() => Int) requested: number;
  @Field(() => Int, { description: 'Held now (equal to requested unless the reservation is PARTIAL).' }) reserved: number;
  @Field({ description: "false: no stock is kept for the offer (held in full without counting)." }) tracked: boolean;
  @Field(() => [InventoryAllocation]) allocations: InventoryAllocation[];
}

const locationOut = (id: string) => (id === 'default' ? null : id);

@ObjectType('InventoryReservation', { description: "A checkout session's hold on stock (seed 003 §5)." })
export class InventoryReservation {
  @Field(() => ID) id: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => InventoryReservationStatus) status: InventoryReservationStatus;
  @Field(() => InventoryAllocationStrategy) allocationStrategy: InventoryAllocationStrategy;
  @Field({ description: 'BUILT_IN (Handoff keeps the stock) or HTTP (the merchant’s endpoint).' }) provider: string;
  @Field() expiresAt: Date;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) endedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it ended (released on request, hold expired, payment intent canceled, order created, …).' }) endReason: string | null;
  @Field(() => [InventoryReservationLine]) lines: InventoryReservationLine[];

  static from(r: ReservationRecord): InventoryReservation {
    return Object.assign(new InventoryReservation(), {
      id: r.id,
      checkoutSessionId: r.checkoutSessionId,
      status: reservationStatus(r).toUpperCase() as InventoryReservationStatus,
      allocationStrategy: r.allocationStrategy.toUpperCase() as InventoryAllocationStrategy,
      provider: r.provider,
      expiresAt: r.expiresAt,
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      endReason: r.endReason,
      lines: r.lines.map((l) => ({ ...l, allocations: l.allocations.map((a) => ({ locationId: locationOut(a.locationId), quantity: a.quantity })) })),
    });
  }
}

@InputType('ReserveInventoryLineInput')
export class ReserveInventoryLineInput {
  @Field(() => ID) offerId: string;
  @Field(() => Int, { description: "1..the session's quantity of the offer." }) quantity: number;
}

@InputType('ReserveCheckoutInventoryInput')
export class ReserveCheckoutInventoryInput {
  @Field(() => Int, { nullable: true, description: "The hold in seconds: 60..the merchant's longest (settings); default the merchant's default (900)." })
  expiresInSeconds?: number | null;
  @Field(() => InventoryAllocationStrategy, { nullable: true }) allocationStrategy?: InventoryAllocationStrategy | null;
  @Field(() => [ReserveInventoryLineInput], { nullable: true, description: 'Some of the session’s offers only; omitted: every line in full.' })
  lines?: ReserveInventoryLineInput[] | null;
}

@ObjectType('StockLevel', { description: "The built-in inventory provider's stock of an offer at one location." })
export class StockLevel {
  @Field(() => ID) offerId: string;
  @Field(() => ID, { nullable: true, description: "A pickup location's id; null: the merchant's default stock." }) locationId: string | null;
  @Field(() => Int) onHand: number;
  @Field(() => Int, { description: 'Held by active reservations.' }) reserved: number;
  @Field(() => Int, { description: 'onHand − reserved, at least 0.' }) available: number;
  @Field() updatedAt: Date;

  static from(s: StockLevelRecord): StockLevel {
    return Object.assign(new StockLevel(), { ...s, locationId: locationOut(s.locationId), available: Math.max(0, s.onHand - s.reserved) });
  }
}
