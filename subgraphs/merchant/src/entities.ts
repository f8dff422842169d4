// Every TypeORM entity of the merchant schema.
import { AgentEntity, BuilderEntity } from './agent/agent.entity.js';
import { ApiKeyEntity } from './api-key/api-key.entity.js';
import { MerchantEntity } from './merchant/merchant.entity.js';
import { OfferEntity } from './offer/offer.entity.js';
import { PaymentConnectorEntity } from './payment-connector/payment-connector.entity.js';

export const entities: Function[] = [
  MerchantEntity,
  OfferEntity,
  AgentEntity,
  BuilderEntity,
  ApiKeyEntity,
  PaymentConnectorEntity,
];
