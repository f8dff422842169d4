// GET /v1/checkout/health (seed 003 §18, ADMIN key): every subsystem's state, `ok`, `degraded`
// or `down`, with a sentence saying why:
//   database, redis            each subgraph's own check of its schema and of Redis (and the gateway's Redis)
//   database_replica           only with DATABASE_READ_URL: the read replica as each subgraph using it measures it
//                              (reachable, lag in seconds and bytes); degraded, never down, when it cannot be used
//   <subgraph> ×4              its operations health route answered
//   psp                        payment-intent's probe of the sandbox PSP (and a configured STRIPE_API_URL)
//   workers                    each package's worker heartbeat within WORKER_HEARTBEAT_MAX_AGE_MS
//   queues                     every package's queue: failed ≥ OPS_QUEUE_FAILED_DEGRADED or waiting ≥ OPS_QUEUE_WAITING_DEGRADED degrades
//   webhook_delivery           the merchant package's webhook queues (intake, deliveries) and its worker
//   hosted_pages               the page's assets served by this gateway, and the subgraphs it needs
// `status` is the worst of them. Answered 200 whatever the states (the report is the answer);
// readiness (/health/ready) is the probe a load balancer acts on.
import type { Express } from 'express';
import type { HealthReport } from '@handoff/shared/http/operations-health';
import type { QueueCounts } from '@handoff/shared/queue/queue-admin';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { SUBGRAPH_NAMES } from '../../subgraph/subgraph-names.js';
import { mountAdminRoute, OPS } from './admin-route.js';
import { operatorQueues } from './operator-queues.js';
import {
  fromSubgraphs,
  hostedPagesReport,
  PROBE_TIMEOUT_MS,
  queuesReport,
  readReplicaReport,
  subgraphReport,
  subgraphViews,
  withTimeout,
  workerBeats,
  workersReport,
  worst,
} from './subsystems.js';

/** The merchant package's outbound webhook queues: its queues whose name says webhook. */
export const isWebhookDeliveryQueue = (queue: string, packageName: string) => packageName === 'merchant' && queue.includes('webhook');

const down = (err: unknown): HealthReport => ({ status: 'down', detail: err instanceof Error ? err.message : String(err) });

export function mountHealthRoute(app: Express, deps: GatewayRouteDeps): void {
  const queues = operatorQueues(deps);
  const ops = deps.config.operations;
  const thresholds = { waitingDegraded: ops.queueWaitingDegraded, failedDegraded: ops.queueFailedDegraded };

  mountAdminRoute(app, deps, 'get', `${OPS}/health`, async (call) => {
    const gatewayRedis = (async (): Promise<HealthReport> => {
      const started = Date.now();
      await withTimeout(deps.redis().ping(), PROBE_TIMEOUT_MS, 'Redis');
      return { status: 'ok', detail: `gateway: Redis answered in ${Date.now() - started} ms` };
    })().catch(down);
    const queueState = (async () => {
      const registry = await queues.registry();
      const counts = await withTimeout((await queues.admin()).counts(registry.map((r) => r.queue)), PROBE_TIMEOUT_MS, 'queue counts');
      return { registry, counts };
    })();
    const [views, beats, redisAtGateway] = await Promise.all([subgraphViews(deps), workerBeats(deps).catch((err: unknown) => err as Error), gatewayRedis]);
    const queueReports = await queueState.then(
      ({ registry, counts }) => {
        const webhook = counts.filter((c: QueueCounts, i) => isWebhookDeliveryQueue(c.queue, registry[i]!.packageName));
        return { all: queuesReport(counts, thresholds), webhook };
      },
      (err: unknown) => ({ all: down(err), webhook: undefined }),
    );

    const redisFromSubgraphs = fromSubgraphs(views, 'redis');
    const replica = readReplicaReport(views);
    const subsystems: Record<string, HealthReport> = {
      database: fromSubgraphs(views, 'postgres'),
      ...(replica ? { database_replica: replica } : {}),
      redis: { status: worst([redisAtGateway.status, redisFromSubgraphs.status]), detail: `${redisAtGateway.detail}; ${redisFromSubgraphs.detail}` },
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphReport(name, views[name])])),
      psp: fromSubgraphs(views, 'psp', ['payment-intent']),
      workers: beats instanceof Error ? down(beats) : workersReport(beats, ops.heartbeatMaxAgeMs),
      queues: queueReports.all,
      webhook_delivery: webhookDelivery(queueReports.webhook, beats, thresholds),
      hosted_pages: await hostedPagesReport(call.req, views),
    };
    call.res.json({
      status: worst(Object.values(subsystems).map((s) => s.status)),
      checked_at: new Date().toISOString(),
      subsystems,
    });
  });
}

function webhookDelivery(webhook: QueueCounts[] | undefined, beats: Awaited<ReturnType<typeof workerBeats>> | Error, thresholds: { waitingDegraded: number; failedDegraded: number }): HealthReport {
  if (!webhook) return { status: 'down', detail: 'queue counts unavailable' };
  if (!webhook.length) return { status: 'ok', detail: 'no outbound webhook queue registered (outbound webhooks are not running under this queue prefix)' };
  const merchant = beats instanceof Error ? undefined : beats.find((b) => b.packageName === 'merchant');
  const report = queuesReport(webhook, thresholds, 'webhook queues');
  if (!merchant?.alive) return { status: 'down', detail: `the merchant worker (the delivery worker) has no heartbeat; ${report.detail}` };
  return report;
}
