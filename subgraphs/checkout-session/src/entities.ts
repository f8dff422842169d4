// Every TypeORM entity of the checkout-session package (schema `checkout`).
import { CheckoutSessionEntity } from './checkout-session/checkout-session.entity.js';

export const entities: Function[] = [CheckoutSessionEntity];
