// Builds the conversion-ledger subgraph over its resources: services, resolvers, schema, and
// its workers (payment events, settlement and its job scheduler).
import {
  attributionPublicKeys, buildFederatedSchema, createRedis, defineSubgraph, IdempotencyStore, instanceContainer,
  AUDIT_LOG_QUEUE, AUDIT_TOPIC_PATTERN, OUTBOUND_WEBHOOK_EVENTS_QUEUE, WEBHOOK_EVENT_TOPIC_PATTERN, type OutboxRoutes, type SubgraphApp,
} from '@handoff/shared';
import { Queue } from 'bullmq';
import type { ConversionLedgerConfig } from './config.js';
import { ConversionLifecycle } from './conversion/conversion-lifecycle.service.js';
import { ConversionRecorder } from './conversion/conversion-recorder.service.js';
import { conversionReference } from './conversion/conversion.reference.js';
import { ConversionResolver } from './conversion/conversion.resolver.js';
import { ConversionChildren, ConversionService } from './conversion/conversion.service.js';
import { extendContext } from './context.js';
import { InternalDirectory, type Directory } from './ports/directory.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { startPaymentEventsWorker } from './payment-events/payment-events.job.js';
import { startTenderEventsWorker } from './books/tender-postings.js';
import { startBiFactWorkers, upsertBiProjectionScheduler } from './bi-facts/bi-facts.job.js';
import { BiFactsResolver } from './bi-facts/bi-facts.resolver.js';
import { LEDGER_PAYMENT_EVENTS_QUEUE } from './payment-events/psp-event.js';
import { WaitingForConversion } from './payment-events/waiting-jobs.js';
import { ReportingResolver, SettlementResolver } from './reporting/reporting.resolver.js';
import { ReportingService } from './reporting/reporting.service.js';
import { startSettlementWorker, upsertSettlementScheduler } from './settlement/settlement.job.js';
import { SettlementService } from './settlement/settlement.service.js';
import { ConversionEventsService } from './subscription/conversion-events.service.js';
import { ConversionSubscriptionResolver } from './subscription/conversion-subscription.resolver.js';

export const SUBGRAPH_NAME = 'conversion-ledger';
export const SCHEMA_NAME = 'ledger';

/**
 * `conversion.updated` goes out on pub/sub only (the Subscriptions issue delivers it); merchants'
 * webhook events to the merchant subgraph's webhook intake (shared/src/contracts/webhook-events.contract.ts).
 */
export const outboxRoutes: OutboxRoutes = {
  [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE],
  // Conversions' and settlement batches' audit rows, to the merchant subgraph's audit log.
  [AUDIT_TOPIC_PATTERN]: [AUDIT_LOG_QUEUE],
};

export interface LedgerOverrides {
  /** Replaces the calls to the merchant and checkout-session subgraphs (tests). */
  directory?: Directory;
}

export function createApp(config: ConversionLedgerConfig, overrides: LedgerOverrides = {}): Promise<SubgraphApp> {
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource, reads, outbox }) {
      const directory =
        overrides.directory ??
        new InternalDirectory({ merchant: config.env.MERCHANT_URL, checkoutSession: config.env.CHECKOUT_SESSION_URL }, config.internalSecret);
      const keys = { publicKeys: attributionPublicKeys(config.aapPublicKeys), issuer: config.aapIssuer };
      const conversions = new ConversionService(dataSource);
      const idempotency = new IdempotencyStore(dataSource, SCHEMA_NAME);
      const recorder = new ConversionRecorder(dataSource, directory, idempotency, outbox, keys);
      const lifecycle = new ConversionLifecycle(dataSource, outbox, idempotency);
      const settlement = new SettlementService(dataSource, directory, outbox);
      // BI reads: the read replica when DATABASE_READ_URL is set and close enough (docs/architecture.md).
      const reporting = new ReportingService(reads);
      const resolvers = [
        new ConversionResolver(conversions, recorder, lifecycle),
        new ReportingResolver(reporting),
        new SettlementResolver(reporting, settlement),
        new ConversionSubscriptionResolver(new ConversionEventsService(dataSource)),
        // BI facts: the report reads the replica when usable, the export the primary (docs/bi.md).
        new BiFactsResolver({ query: (sql: string, params?: unknown[]) => reads.read((ds) => ds.query(sql, params)) }, dataSource),
      ];
      const schema = await buildFederatedSchema({
        resolvers: [ConversionResolver, ReportingResolver, SettlementResolver, ConversionSubscriptionResolver, BiFactsResolver],
        container: instanceContainer(resolvers),
        referenceResolvers: { Conversion: conversionReference(conversions) },
      });

      const startWorkers = async () => {
        const connection = createRedis(config.env.REDIS_URL, { forBullmqWorker: true });
        const prefix = config.env.QUEUE_PREFIX;
        const logger = config.logger.child({ component: 'ledger-workers' });
        const scheduler = await upsertSettlementScheduler(connection, prefix, config.settlementCron);
        // The conversion projection of the BI facts, every 2 s (bi-facts/bi-facts.job.ts).
        const biProjection = await upsertBiProjectionScheduler(connection, prefix, 2000);
        const paymentEvents = new Queue(LEDGER_PAYMENT_EVENTS_QUEUE, { connection, prefix });
        paymentEvents.on('error', (err) => logger.warn({ err }, 'ledger-payment-events queue error'));
        const waiting = new WaitingForConversion(connection, paymentEvents, prefix);
        const workers = [
          startPaymentEventsWorker({ handlers: { recorder, lifecycle }, waiting, connection, prefix, logger, concurrency: config.workerConcurrency }),
          startSettlementWorker({ settlement, connection, prefix, logger }),
          // Gift cards and store credit issued and redeemed (checkout-session's tender.* events), into the books.
          startTenderEventsWorker({ dataSource, connection, prefix, logger }),
          // BI facts: checkout-session's and payment-intent's events, and the conversion projection.
          ...startBiFactWorkers({ dataSource, connection, prefix, logger }),
        ];
        return {
          close: async () => {
            await Promise.allSettled(workers.map((w) => w.close()));
            await paymentEvents.close();
            await scheduler.close();
            await biProjection.close();
            connection.disconnect();
          },
        };
      };
      return { schema, outboxRoutes, startWorkers, extendContext: extendContext(new ConversionChildren(), reads) };
    },
  });
}
