// Builds the checkout-session subgraph over its resources: services, resolvers, schema.
import { buildFederatedSchema, defineSubgraph, instanceContainer, type SubgraphApp } from '@handoff/shared';
import { CheckoutSessionResolver } from './checkout-session/checkout-session.resolver.js';
import { checkoutSessionReference } from './checkout-session/checkout-session.reference.js';
import { CheckoutSessionService } from './checkout-session/checkout-session.service.js';
import type { CheckoutSessionConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export const SUBGRAPH_NAME = 'checkout-session';
export const SCHEMA_NAME = 'checkout';

export function createApp(config: CheckoutSessionConfig): Promise<SubgraphApp> {
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource }) {
      const sessions = new CheckoutSessionService(dataSource, config.publicBaseUrl);
      const resolvers = [new CheckoutSessionResolver(sessions)];
      const schema = await buildFederatedSchema({
        resolvers: [CheckoutSessionResolver],
        container: instanceContainer(resolvers),
        referenceResolvers: { CheckoutSession: checkoutSessionReference(sessions) },
      });
      return { schema };
    },
  });
}
