// GraphQL types of the lifecycle commands (issue 22; docs/recurring.md): an invoice's lines and
// the input of updateBillingSubscription.
import { MoneyInput, MoneyType } from '@handoff/shared';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { InvoiceLineKind } from './invoice-line.entity.js';

registerEnumType(InvoiceLineKind, {
  name: 'BillingInvoiceLineKind',
  description: "SUBSCRIPTION (an item × quantity for the invoice's period), PRORATION (a price or quantity change: the unused time's credit, negative, or the remaining time's charge), CREDIT_CARRIED (a credit larger than an invoice, carried to the next).",
});

@ObjectType('BillingInvoiceLine', { description: 'One line of an invoice, or a pending line the next renewal invoice will include. Amounts are signed (a credit is negative).' })
export class BillingInvoiceLineType {
  @Field(() => InvoiceLineKind) kind: InvoiceLineKind;
  @Field() description: string;
  @Field(() => Int, { nullable: true, description: "The subscription item's position it is about." }) itemPosition: number | null;
  @Field(() => Int, { nullable: true }) quantity: number | null;
  @Field(() => MoneyType, { nullable: true }) unitAmount: MoneyType | null;
  @Field(() => MoneyType, { description: 'Signed: a credit is negative.' }) amount: MoneyType;
  @Field(() => Date, { nullable: true }) periodStart: Date | null;
  @Field(() => Date, { nullable: true }) periodEnd: Date | null;
  @Field(() => Date) createdAt: Date;
}

@InputType('UpdateBillingSubscriptionInput', { description: "A change of one item's quantity and/or price, prorated on the next renewal invoice." })
export class UpdateBillingSubscriptionInput {
  @Field(() => Int, { nullable: true, description: "The item's position; may be omitted when the subscription has one item." }) position?: number | null;
  @Field(() => Int, { nullable: true, description: 'The new quantity, 1 to 999.' }) quantity?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: "The new price per unit, in the subscription's currency (another currency: SUBSCRIPTION_CURRENCY_MISMATCH)." }) unitAmount?: MoneyInput | null;
  @Field(() => Int, { nullable: true, description: 'The version read; another one current: VERSION_CONFLICT, nothing written.' }) expectedVersion?: number | null;
}
