// Builds the merchant subgraph over its resources: services, resolvers, schema.
import { buildFederatedSchema, defineSubgraph, instanceContainer, type SubgraphApp } from '@handoff/shared';
import type { MerchantConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { MerchantService } from './merchant/merchant.service.js';
import { MerchantResolver } from './merchant/merchant.resolver.js';
import { merchantReference } from './merchant/merchant.reference.js';

export const SUBGRAPH_NAME = 'merchant';
export const SCHEMA_NAME = 'merchant';

export function createApp(config: MerchantConfig): Promise<SubgraphApp> {
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource }) {
      const merchants = new MerchantService(dataSource);
      const resolvers = [new MerchantResolver(merchants)];
      const schema = await buildFederatedSchema({
        resolvers: [MerchantResolver],
        container: instanceContainer(resolvers),
        referenceResolvers: { Merchant: merchantReference(merchants) },
      });
      return { schema };
    },
  });
}
