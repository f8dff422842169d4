// The sandbox PSP over its resources: its database schema (`sandbox`), Redis (its queues and
// outbox relay), its HTTP API and its workers. An external system to Handoff: started beside
// it (the launcher, docker-compose.yml), reached by Handoff's payment-intent over HTTP only,
// and talking back only by signed webhooks to the gateway.
import { createDataSource, createRedis, listen, OutboxRelay, runMigrations, type RunningServer } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AccountEntity } from './accounts/account.entity.js';
import { Accounts } from './accounts/accounts.service.js';
import type { SandboxConfig } from './config.js';
import { FailedJobs } from './dashboard/failed-jobs.js';
import { sandboxServer } from './http/server.js';
import { migrations } from './migrations/index.js';
import { SandboxPaymentEntity, SandboxPaymentMethodEntity, SandboxRefundEntity } from './payments/payment.entities.js';
import { SandboxPayments } from './payments/payments.service.js';
import { IdentityVerificationEntity } from './identity/identity-verification.entity.js';
import { IdentityVerifications } from './identity/identity.service.js';
import { SANDBOX_SETTLE_QUEUE, SANDBOX_WEBHOOK_QUEUE, startSandboxWorkers } from './webhooks/jobs.js';
import { SANDBOX_SCHEMA } from './webhooks/webhook-events.js';

export const entities: Function[] = [AccountEntity, SandboxPaymentEntity, SandboxPaymentMethodEntity, SandboxRefundEntity, IdentityVerificationEntity];

/** Where the sandbox's outbox events go: its own workers. */
export const outboxRoutes = {
  'sandbox_webhook.*': [SANDBOX_WEBHOOK_QUEUE],
  'sandbox_settle.*': [SANDBOX_SETTLE_QUEUE],
};

export interface SandboxApp {
  dataSource: DataSource;
  migrate(): Promise<string[]>;
  listen(port: number, host?: string): Promise<RunningServer>;
  /** The outbox relay and the delivery and settle workers. */
  startWorkers(): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

export function createSandbox(config: SandboxConfig): SandboxApp {
  const { env, logger } = config;
  const dataSource = createDataSource({
    url: env.DATABASE_URL,
    schema: SANDBOX_SCHEMA,
    entities,
    migrations,
    poolSize: env.DB_POOL_SIZE,
    applicationName: 'handoff-psp-sandbox',
  });
  const redis = createRedis(env.REDIS_URL);
  const relay = new OutboxRelay({
    dataSource,
    schema: SANDBOX_SCHEMA,
    redis,
    queuePrefix: env.QUEUE_PREFIX,
    logger: logger.child({ component: 'outbox-relay' }),
    routes: outboxRoutes,
    // The sandbox announces nothing on Handoff's pub/sub: it only queues its own work.
    pubsubChannel: () => null,
    sweepAfterMs: env.OUTBOX_SWEEP_AFTER_MS,
    sweepIntervalMs: env.OUTBOX_SWEEP_INTERVAL_MS,
  });
  const committed = () => relay.notify();
  const accounts = new Accounts(dataSource, config.adminKey);
  const payments = new SandboxPayments();
  const failedJobs = new FailedJobs(redis, env.QUEUE_PREFIX, logger);
  const app = sandboxServer({
    dataSource,
    accounts,
    payments,
    identity: new IdentityVerifications(),
    failedJobs,
    committed,
    logger,
    ready: async () => {
      await dataSource.query('SELECT 1');
      await redis.ping();
    },
  });
  const init = async () => {
    if (!dataSource.isInitialized) await dataSource.initialize();
  };
  let closed = false;
  return {
    dataSource,
    migrate: async () => {
      await init();
      return runMigrations(dataSource, logger);
    },
    listen: async (port, host = '127.0.0.1') => {
      await init();
      return listen(app, port, host);
    },
    startWorkers: async () => {
      await init();
      relay.start();
      const connection = createRedis(env.REDIS_URL, { forBullmqWorker: true });
      const workers = startSandboxWorkers({
        connection,
        prefix: env.QUEUE_PREFIX,
        logger,
        dataSource,
        accounts,
        payments,
        processingDelayMs: config.processingDelayMs,
        committed,
      });
      return {
        close: async () => {
          await Promise.allSettled(workers.map((w) => w.close()));
          await relay.stop();
          connection.disconnect();
        },
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await failedJobs.close();
      await relay.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
      redis.disconnect();
    },
  };
}
