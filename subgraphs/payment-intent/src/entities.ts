// Every TypeORM entity of the payment-intent package (schema `payment`).
import { PaymentIntentEntity } from './payment-intent/payment-intent.entity.js';

export const entities: Function[] = [PaymentIntentEntity];
