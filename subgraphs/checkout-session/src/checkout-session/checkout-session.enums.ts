// The checkout session's enums, shared by its entity and its GraphQL type. Values equal keys, so
// the database, the API and the code all spell them the same way.
import { registerEnumType } from 'type-graphql';

export enum CheckoutSessionStatus {
  OPEN = 'OPEN',
  COMPLETE = 'COMPLETE',
  EXPIRED = 'EXPIRED',
  CANCELED = 'CANCELED',
}

export enum CheckoutMode {
  PAYMENT = 'PAYMENT',
  SUBSCRIPTION = 'SUBSCRIPTION',
}

registerEnumType(CheckoutSessionStatus, { name: 'CheckoutSessionStatus' });
registerEnumType(CheckoutMode, { name: 'CheckoutMode' });
