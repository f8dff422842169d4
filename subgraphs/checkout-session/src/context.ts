// The per-request context of the checkout-session subgraph: the shared context plus DataLoaders
// that batch one request's lookups into one query per kind, each filtered by the principal.
import type { Principal, SubgraphContext } from '@handoff/shared';
import DataLoader from 'dataloader';
import type { AgentSessionEntity } from './agent-session/agent-session.entity.js';
import type { AgentSessionService } from './agent-session/agent-session.service.js';
import type { LineItemEntity } from './checkout-session/line-item.entity.js';
import type { CheckoutSessionService } from './checkout-session/checkout-session.service.js';
import type { RecommendationEntity } from './recommendation/recommendation.entity.js';
import type { RecommendationService } from './recommendation/recommendation.service.js';

export interface CheckoutLoaders {
  /** Agent sessions a parent entity refers to (a recommendation's, a checkout's, another subgraph's). */
  agentSessionRefs: DataLoader<string, AgentSessionEntity | null>;
  recommendationsBySession: DataLoader<string, RecommendationEntity[]>;
  lineItems: DataLoader<string, LineItemEntity[]>;
}

export interface CheckoutContext extends SubgraphContext {
  loaders: CheckoutLoaders;
}

export interface LoaderServices {
  agentSessions: AgentSessionService;
  recommendations: RecommendationService;
  checkoutSessions: CheckoutSessionService;
}

const options = { maxBatchSize: 500 };

export function createLoaders(principal: Principal, services: LoaderServices): CheckoutLoaders {
  return {
    agentSessionRefs: new DataLoader((ids) => services.agentSessions.findManyVisible(principal, ids, 'reference'), options),
    recommendationsBySession: new DataLoader((ids) => services.recommendations.listForSessions(principal, ids), options),
    lineItems: new DataLoader((ids) => services.checkoutSessions.lineItemsOf(ids), options),
  };
}

export const extendContext =
  (services: LoaderServices) =>
  (base: SubgraphContext): CheckoutContext => ({ ...base, loaders: createLoaders(base.principal, services) });
