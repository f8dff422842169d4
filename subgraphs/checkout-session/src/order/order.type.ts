// The GraphQL face of finalization (seed 003 §8): the order and its receipt, and the finalization
// jobs (async finalizations and rollbacks) polled by id.
import { Connection, money, MoneyType, toMoneyType } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { FinalizationJobEntity, OrderEntity } from './order.entity.js';

export enum CheckoutOrderStatus {
  COMPLETED = 'COMPLETED',
  ROLLING_BACK = 'ROLLING_BACK',
  ROLLED_BACK = 'ROLLED_BACK',
}
export enum FinalizationJobKind {
  FINALIZE = 'FINALIZE',
  ROLLBACK = 'ROLLBACK',
}
export enum FinalizationJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(CheckoutOrderStatus, { name: 'CheckoutOrderStatus', description: 'COMPLETED once finalized; ROLLING_BACK while its payment is being voided or refunded; ROLLED_BACK after.' });
registerEnumType(FinalizationJobKind, { name: 'FinalizationJobKind' });
registerEnumType(FinalizationJobStatus, { name: 'FinalizationJobStatus' });

@InputType('FinalizeCheckoutInput')
export class FinalizeCheckoutInput {
  @Field(() => Boolean, { nullable: true, description: 'Hand the order to the merchant (the order.created webhook). Default true; false records the order and receipt only.' })
  createOrder?: boolean | null;
}

@ObjectType('CheckoutOrderLine')
export class CheckoutOrderLine {
  @Field() lineId: string;
  @Field() name: string;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => Int) quantity: number;
  @Field(() => MoneyType) unitAmount: MoneyType;
  @Field(() => MoneyType) discount: MoneyType;
  @Field(() => MoneyType) tax: MoneyType;
  @Field(() => MoneyType) total: MoneyType;
}

@ObjectType('CheckoutOrderTotals')
export class CheckoutOrderTotals {
  @Field(() => MoneyType) subtotal: MoneyType;
  @Field(() => MoneyType) discount: MoneyType;
  @Field(() => MoneyType) tax: MoneyType;
  @Field(() => MoneyType) shipping: MoneyType;
  @Field(() => MoneyType) total: MoneyType;
}

@ObjectType('CheckoutOrder', { description: "The order a checkout's finalization created, with its receipt (seed 003 §8). One per checkout session." })
export class CheckoutOrder {
  @Field(() => ID) id: string;
  @Field(() => ID) receiptId: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => CheckoutOrderStatus) status: CheckoutOrderStatus;
  @Field({ description: 'False when finalized with createOrder: false (recorded, not handed to the merchant).' }) handedOff: boolean;
  @Field(() => ID, { nullable: true, description: 'The calculation snapshot its lines and totals come from; null for a session never calculated (its merchant prices nothing beyond the lines).' })
  calculationId: string | null;
  @Field(() => ID, { nullable: true }) paymentIntentId: string | null;
  @Field({ description: 'captured, or authorized (a manual capture not yet captured).' }) paymentStatus: string;
  @Field(() => [CheckoutOrderLine]) lines: CheckoutOrderLine[];
  @Field(() => CheckoutOrderTotals) totals: CheckoutOrderTotals;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) rolledBackAt: Date | null;

  static from(o: OrderEntity): CheckoutOrder {
    const m = (minor: number) => toMoneyType(money(minor, o.currency));
    return Object.assign(new CheckoutOrder(), {
      id: o.id,
      receiptId: o.receiptId,
      checkoutSessionId: o.checkoutSessionId,
      status: o.status as CheckoutOrderStatus,
      handedOff: o.handedOff,
      calculationId: o.calculationId,
      paymentIntentId: o.paymentIntentId,
      paymentStatus: o.paymentStatus,
      lines: o.lines.map((l) =>
        Object.assign(new CheckoutOrderLine(), {
          lineId: l.lineId,
          name: l.name,
          offerId: l.offerId,
          quantity: l.quantity,
          unitAmount: m(l.unitAmountMinor),
          discount: m(l.discountMinor),
          tax: m(l.taxMinor),
          total: m(l.totalMinor),
        }),
      ),
      totals: Object.assign(new CheckoutOrderTotals(), {
        subtotal: m(o.subTotalMinor),
        discount: m(o.discountTotalMinor),
        tax: m(o.taxTotalMinor),
        shipping: m(o.shippingTotalMinor),
        total: m(o.grandTotalMinor),
      }),
      createdAt: o.createdAt,
      rolledBackAt: o.rolledBackAt,
    });
  }
}

export const CheckoutOrderConnection = Connection('CheckoutOrder', CheckoutOrder);

@ObjectType('CheckoutFinalizationError')
export class CheckoutFinalizationError {
  @Field({ description: 'A stable error code (CHECKOUT_NOT_PAID, CALCULATION_STALE, SERVICE_UNAVAILABLE, …).' }) code: string;
  @Field() message: string;
}

@ObjectType('CheckoutFinalizationJob', { description: 'An async finalization or a rollback (seed 003 §8), polled by id.' })
export class CheckoutFinalizationJob {
  @Field(() => ID) id: string;
  @Field(() => FinalizationJobKind) kind: FinalizationJobKind;
  @Field(() => FinalizationJobStatus) status: FinalizationJobStatus;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID, { nullable: true }) orderId: string | null;
  @Field(() => Int, { description: 'Attempts made so far (a job is retried with backoff).' }) attempts: number;
  @Field(() => CheckoutFinalizationError, { nullable: true, description: "The last attempt's failure." }) error: CheckoutFinalizationError | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;

  static from(j: FinalizationJobEntity): CheckoutFinalizationJob {
    return Object.assign(new CheckoutFinalizationJob(), {
      id: j.id,
      kind: j.kind as FinalizationJobKind,
      status: j.status as FinalizationJobStatus,
      checkoutSessionId: j.checkoutSessionId,
      orderId: j.orderId,
      attempts: j.attempts,
      error: j.errorCode ? Object.assign(new CheckoutFinalizationError(), { code: j.errorCode, message: j.errorMessage ?? '' }) : null,
      createdAt: j.createdAt,
      finishedAt: j.finishedAt,
    });
  }
}

@ObjectType('CheckoutRollback')
export class CheckoutRollback {
  @Field(() => CheckoutFinalizationJob, { description: "The job voiding or refunding the payment (the local steps are already undone)." }) job: CheckoutFinalizationJob;
  @Field(() => CheckoutOrder) order: CheckoutOrder;
}
