// Builds the conversion-ledger subgraph over its resources: services, resolvers, schema.
import { buildFederatedSchema, defineSubgraph, instanceContainer, type SubgraphApp } from '@handoff/shared';
import type { ConversionLedgerConfig } from './config.js';
import { conversionReference } from './conversion/conversion.reference.js';
import { ConversionResolver } from './conversion/conversion.resolver.js';
import { ConversionService } from './conversion/conversion.service.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export const SUBGRAPH_NAME = 'conversion-ledger';
export const SCHEMA_NAME = 'ledger';

export function createApp(config: ConversionLedgerConfig): Promise<SubgraphApp> {
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource }) {
      const conversions = new ConversionService(dataSource);
      const resolvers = [new ConversionResolver(conversions)];
      const schema = await buildFederatedSchema({
        resolvers: [ConversionResolver],
        container: instanceContainer(resolvers),
        referenceResolvers: { Conversion: conversionReference(conversions) },
      });
      return { schema };
    },
  });
}
