// The per-request context of the merchant subgraph: the shared context plus DataLoaders that
// batch the entity lookups of one request into one `WHERE id = ANY($1)` query per type, each
// filtered by the request's principal in the service.
import type { Principal, SubgraphContext } from '@handoff/shared';
import DataLoader from 'dataloader';
import type { AgentEntity, BuilderEntity } from './agent/agent.entity.js';
import type { MerchantEntity } from './merchant/merchant.entity.js';
import type { OfferEntity } from './offer/offer.entity.js';
import type { PaymentConnectorEntity } from './payment-connector/payment-connector.entity.js';
import type { MerchantServices } from './services.js';

export interface MerchantLoaders {
  /** Merchants as referred to by other entities (another subgraph's, an offer, the viewer). */
  merchantRefs: DataLoader<string, MerchantEntity | null>;
  offerRefs: DataLoader<string, OfferEntity | null>;
  agentRefs: DataLoader<string, AgentEntity | null>;
  builders: DataLoader<string, BuilderEntity | null>;
  /** By merchant id; null where none or not the caller's to see. */
  connectors: DataLoader<string, PaymentConnectorEntity | null>;
}

export interface MerchantContext extends SubgraphContext {
  loaders: MerchantLoaders;
}

const options = { maxBatchSize: 500 };

export function createLoaders(
  principal: Principal,
  services: Pick<MerchantServices, 'merchants' | 'offers' | 'agents' | 'connectors'>,
): MerchantLoaders {
  return {
    merchantRefs: new DataLoader((ids) => services.merchants.findManyVisible(principal, ids, 'reference'), options),
    offerRefs: new DataLoader((ids) => services.offers.findManyVisible(principal, ids, 'reference'), options),
    agentRefs: new DataLoader((ids) => services.agents.findManyVisible(principal, ids, 'reference'), options),
    builders: new DataLoader((ids) => services.agents.findBuilders(ids), options),
    connectors: new DataLoader((ids) => services.connectors.findManyVisible(principal, ids), options),
  };
}

export const extendContext =
  (services: MerchantServices) =>
  (base: SubgraphContext): MerchantContext => ({ ...base, loaders: createLoaders(base.principal, services) });
