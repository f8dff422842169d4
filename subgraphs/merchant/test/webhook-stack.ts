// One merchant subgraph with its outbound webhooks for a webhook spec, on a database of its own
// (the run's shared one holds other stacks' endpoints, sealed with other keys) and a queue prefix
// of its own: the app (migrated), its services, the webhooks module (private URLs allowed, retries
// 20 ms apart), the delivery worker's dependencies and a receiver to deliver to.
import { randomBytes } from 'node:crypto';
import type { SubgraphApp } from '@handoff/shared';
import { testEnv } from '../../../test/support/env.js';
import { scratchDatabase } from '../../../test/support/scratch-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import { createApp, loadConfig, type MerchantConfig } from '../src/index.js';
import { createServices, type MerchantServices } from '../src/services.js';
import type { DeliveryDeps } from '../src/webhook-delivery/webhook-delivery.job.js';
import { createWebhooks, type Webhooks } from '../src/webhook-endpoint/webhooks.module.js';

/** A logger that says nothing. */
export const silent = { child: () => silent, info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

export interface WebhookStack {
  db: Awaited<ReturnType<typeof scratchDatabase>>;
  app: SubgraphApp;
  config: MerchantConfig;
  services: MerchantServices;
  webhooks: Webhooks;
  deps: DeliveryDeps;
  receiver: WebhookReceiver;
  /** Closes the webhooks module, the receiver and the app, and drops the database. */
  close(): Promise<void>;
}

/** `database`: the scratch database's name; `queueTag`: marks the queue prefix. */
export async function startWebhookStack(database: string, queueTag: string): Promise<WebhookStack> {
  const db = await scratchDatabase(database);
  const { redisUrl, queuePrefix } = testEnv();
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `${queuePrefix}-${queueTag}${randomBytes(3).toString('hex')}`,
    NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'silent',
    WEBHOOK_RETRY_BASE_MS: '20',
  });
  const app = await createApp(config);
  await app.migrate();
  const services = createServices({ dataSource: app.dataSource, encryptionKey: config.encryptionKey });
  const webhooks = createWebhooks({
    dataSource: app.dataSource,
    redis: app.redis,
    redisUrl,
    queuePrefix: config.env.QUEUE_PREFIX,
    idempotency: services.idempotency,
    connectors: services.connectors,
    encryptionKey: config.encryptionKey,
    allowPrivateUrls: true,
    outbox: { notify: () => undefined },
    delivery: config.webhooks,
    logger: silent,
  });
  const deps: DeliveryDeps = {
    recorder: webhooks.recorder,
    queue: webhooks.queue,
    outbox: { notify: () => undefined },
    encryptionKey: config.encryptionKey,
    allowPrivateUrls: true,
    timeoutMs: 5000,
    logger: silent,
  };
  const receiver = await startWebhookReceiver();
  return {
    db,
    app,
    config,
    services,
    webhooks,
    deps,
    receiver,
    async close() {
      await webhooks.close();
      await receiver.close();
      await app.close();
      await db.drop();
    },
  };
}
