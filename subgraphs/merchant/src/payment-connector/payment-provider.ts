// The payment processors a merchant can connect. TEST is Handoff's built-in sandbox PSP.
import { registerEnumType } from 'type-graphql';

export enum PaymentProvider {
  TEST = 'TEST',
  STRIPE = 'STRIPE',
}
registerEnumType(PaymentProvider, { name: 'PaymentProvider', description: 'TEST (the built-in sandbox PSP) or STRIPE.' });

export const CONNECTED = 'connected';
