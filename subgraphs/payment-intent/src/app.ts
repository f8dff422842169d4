// Builds the payment-intent subgraph over its resources: services, resolvers, schema.
import { buildFederatedSchema, defineSubgraph, instanceContainer, type SubgraphApp } from '@handoff/shared';
import { checkoutSessionReference } from './checkout-session/checkout-session.reference.js';
import { CheckoutSessionPaymentIntentResolver } from './checkout-session/checkout-session.resolver.js';
import type { PaymentIntentConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { paymentIntentReference } from './payment-intent/payment-intent.reference.js';
import { PaymentIntentResolver } from './payment-intent/payment-intent.resolver.js';
import { PaymentIntentService } from './payment-intent/payment-intent.service.js';

export const SUBGRAPH_NAME = 'payment-intent';
export const SCHEMA_NAME = 'payment';

export function createApp(config: PaymentIntentConfig): Promise<SubgraphApp> {
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource }) {
      const intents = new PaymentIntentService(dataSource);
      const resolvers = [new PaymentIntentResolver(intents), new CheckoutSessionPaymentIntentResolver(intents)];
      const schema = await buildFederatedSchema({
        resolvers: [PaymentIntentResolver, CheckoutSessionPaymentIntentResolver],
        container: instanceContainer(resolvers),
        referenceResolvers: {
          PaymentIntent: paymentIntentReference(intents),
          CheckoutSession: checkoutSessionReference,
        },
      });
      return { schema };
    },
  });
}
