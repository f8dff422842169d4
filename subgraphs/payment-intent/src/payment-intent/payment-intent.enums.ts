// The payment intent's enums, shared by its entity and its GraphQL type. Values equal keys, so
// the database, the API and the code all spell them the same way.
import { registerEnumType } from 'type-graphql';

/** Stripe's payment intent states. */
export enum PaymentIntentStatus {
  REQUIRES_PAYMENT_METHOD = 'REQUIRES_PAYMENT_METHOD',
  REQUIRES_CONFIRMATION = 'REQUIRES_CONFIRMATION',
  REQUIRES_ACTION = 'REQUIRES_ACTION',
  PROCESSING = 'PROCESSING',
  REQUIRES_CAPTURE = 'REQUIRES_CAPTURE',
  SUCCEEDED = 'SUCCEEDED',
  CANCELED = 'CANCELED',
}

export enum CaptureMode {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}

/**
 * The merchant subgraph declares the same enum: Federation 2 composes two enums of one name
 * only when their values are identical, so keep both in step.
 */
export enum PaymentProvider {
  TEST = 'TEST',
  STRIPE = 'STRIPE',
}

registerEnumType(PaymentIntentStatus, { name: 'PaymentIntentStatus' });
registerEnumType(CaptureMode, { name: 'CaptureMode' });
registerEnumType(PaymentProvider, { name: 'PaymentProvider' });
