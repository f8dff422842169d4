// Outbound webhooks, wired (app.ts adds what this returns): endpoint and delivery services over
// the subgraph's resources, their resolvers, and the workers — the intake of
// OUTBOUND_WEBHOOK_EVENTS_QUEUE, the delivery worker and its sweep.
import { createRedis, type IdempotencyStore, type Logger } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { DataSource } from 'typeorm';
import type { WebhookDeliveryConfig } from '../config.js';
import type { OutboxNotifier } from '../events.js';
import { MerchantNoticeResolver } from '../merchant-notice/merchant-notice.resolver.js';
import { MerchantNoticeService } from '../merchant-notice/merchant-notice.service.js';
import type { PaymentConnectorService } from '../payment-connector/payment-connector.service.js';
import { DeliveryQueue } from '../webhook-delivery/delivery-queue.js';
import { cachedFor } from '../webhook-delivery/cached-for.js';
import { DeliveryRecorder, DISABLE_AFTER_FAILING_MS, leaseFor } from '../webhook-delivery/delivery-recorder.js';
import { RETRY_WINDOW_MS } from '../webhook-delivery/retry-schedule.js';
import { startDeliverySweep, startDeliveryWorker, startDirectDelivery } from '../webhook-delivery/webhook-delivery.job.js';
import { WebhookDeliveryResolver, WebhookEndpointDeliveriesResolver } from '../webhook-delivery/webhook-delivery.resolver.js';
import { WebhookDeliveryService } from '../webhook-delivery/webhook-delivery.service.js';
import { startWebhookIntakeWorker } from '../webhook-delivery/webhook-intake.job.js';
import { WebhookIntakeService } from '../webhook-delivery/webhook-intake.service.js';
import { AgentWebhookEndpointResolver } from '../agent-webhook-endpoint/agent-webhook-endpoint.resolver.js';
import { AgentWebhookEndpointService } from '../agent-webhook-endpoint/agent-webhook-endpoint.service.js';
import { WebhookEndpointResolver } from './webhook-endpoint.resolver.js';
import { WebhookEndpointService } from './webhook-endpoint.service.js';

/** How long the intake keeps a merchant's livemode (an event's body says it). */
const LIVEMODE_CACHE_MS = 5_000;

export interface WebhooksOptions {
  dataSource: DataSource;
  /** The subgraph's Redis client; the delivery queue duplicates it. */
  redis: RedisClient;
  redisUrl: string;
  queuePrefix: string;
  idempotency: IdempotencyStore;
  connectors: Pick<PaymentConnectorService, 'livemode'>;
  encryptionKey: Buffer;
  allowPrivateUrls: boolean;
  outbox: OutboxNotifier;
  delivery: WebhookDeliveryConfig;
  logger: Logger;
}

export function createWebhooks(opts: WebhooksOptions) {
  const logger = opts.logger.child({ component: 'webhooks' });
  const queue = new DeliveryQueue(opts.redis, opts.queuePrefix, logger);
  const schedule = (attempts: Parameters<DeliveryQueue['schedule']>[0]) => queue.schedule(attempts);
  const endpoints = new WebhookEndpointService(opts.dataSource, opts.idempotency, opts.outbox, {
    encryptionKey: opts.encryptionKey,
    allowPrivateUrls: opts.allowPrivateUrls,
  });
  const agentEndpoints = new AgentWebhookEndpointService(opts.dataSource, opts.idempotency, opts.outbox, {
    encryptionKey: opts.encryptionKey,
    allowPrivateUrls: opts.allowPrivateUrls,
  });
  const deliveries = new WebhookDeliveryService(opts.dataSource, schedule);
  const notices = new MerchantNoticeService(opts.dataSource);
  const leaseMs = leaseFor(opts.delivery.timeoutMs);
  const intake = new WebhookIntakeService({
    dataSource: opts.dataSource,
    livemode: cachedFor(LIVEMODE_CACHE_MS, (m: string) => opts.connectors.livemode(m)),
    schedule,
    leaseMs,
  });
  const recorder = new DeliveryRecorder(opts.dataSource, { baseMs: opts.delivery.retryBaseMs, windowMs: RETRY_WINDOW_MS }, DISABLE_AFTER_FAILING_MS, leaseMs);

  return {
    endpoints,
    agentEndpoints,
    deliveries,
    notices,
    intake,
    recorder,
    queue,
    resolvers: [
      new WebhookEndpointResolver(endpoints),
      new AgentWebhookEndpointResolver(agentEndpoints, deliveries),
      new WebhookEndpointDeliveriesResolver(deliveries),
      new WebhookDeliveryResolver(deliveries),
      new MerchantNoticeResolver(notices),
    ],
    resolverClasses: [WebhookEndpointResolver, AgentWebhookEndpointResolver, WebhookEndpointDeliveriesResolver, WebhookDeliveryResolver, MerchantNoticeResolver] as Function[],
    async startWorkers(): Promise<{ close(): Promise<void> }> {
      const connection = createRedis(opts.redisUrl, { forBullmqWorker: true });
      // As many intakes at a time as attempts: an intake is one statement, then (room allowing) an attempt.
      const intakeWorker = startWebhookIntakeWorker({ intake, connection, prefix: opts.queuePrefix, concurrency: opts.delivery.concurrency, logger });
      const deliveryDeps = {
        recorder,
        queue,
        outbox: opts.outbox,
        encryptionKey: opts.encryptionKey,
        allowPrivateUrls: opts.allowPrivateUrls,
        timeoutMs: opts.delivery.timeoutMs,
        logger,
      };
      // First attempts start right after the intake, as many at a time as the delivery worker runs.
      const direct = startDirectDelivery(deliveryDeps, opts.delivery.concurrency);
      intake.useDirectDelivery(direct);
      const deliveryWorker = startDeliveryWorker({ deps: deliveryDeps, connection, prefix: opts.queuePrefix, concurrency: opts.delivery.concurrency });
      const sweep = startDeliverySweep({ dataSource: opts.dataSource, queue, everyMs: opts.delivery.sweepIntervalMs, graceMs: sweepGraceMs(opts.delivery.sweepIntervalMs), logger });
      return {
        close: async () => {
          sweep.stop();
          await Promise.allSettled([intakeWorker.close(), deliveryWorker.close()]);
          intake.useDirectDelivery(undefined);
          await direct.close();
          connection.disconnect();
        },
      };
    },
    close: () => queue.close(),
  };
}

/**
 * The overdue margin past which the sweep re-adds an attempt's job: one sweep interval, between
 * 1 s and 30 s (only a job that is gone, or finished without moving its delivery on, is re-added).
 */
export const sweepGraceMs = (sweepIntervalMs: number) => Math.min(30_000, Math.max(1000, sweepIntervalMs));

export type Webhooks = ReturnType<typeof createWebhooks>;
