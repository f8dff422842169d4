// The merchant subgraph's services over one DataSource; app.ts and the integration tests build them here.
import { IdempotencyStore } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentService } from './agent/agent.service.js';
import { ApiKeyService } from './api-key/api-key.service.js';
import { SCHEMA_NAME } from './constants.js';
import { noopNotifier, type OutboxNotifier } from './events.js';
import { MerchantService } from './merchant/merchant.service.js';
import { OfferService } from './offer/offer.service.js';
import { PaymentConnectorService } from './payment-connector/payment-connector.service.js';

export interface MerchantServices {
  merchants: MerchantService;
  offers: OfferService;
  agents: AgentService;
  apiKeys: ApiKeyService;
  connectors: PaymentConnectorService;
  idempotency: IdempotencyStore;
}

export function createServices(opts: { dataSource: DataSource; encryptionKey: Buffer; outbox?: OutboxNotifier }): MerchantServices {
  const { dataSource, encryptionKey } = opts;
  const outbox = opts.outbox ?? noopNotifier;
  const idempotency = new IdempotencyStore(dataSource, SCHEMA_NAME);
  const merchants = new MerchantService(dataSource, idempotency, outbox);
  return {
    merchants,
    offers: new OfferService(dataSource, idempotency, outbox),
    agents: new AgentService(dataSource, idempotency, outbox),
    apiKeys: new ApiKeyService(dataSource, outbox),
    connectors: new PaymentConnectorService(dataSource, encryptionKey, merchants, outbox),
    idempotency,
  };
}
