// Every package's queues, for the operator routes and the dashboard: the names come from the
// registry the packages' worker heartbeats keep (shared/src/queue/worker-heartbeat.ts: queue →
// package), the work from the shared QueueAdmin. BullMQ is loaded on the first operator request
// only (the gateway's /graphql never needs it: gateway/src/module-weight.spec.ts).
import type { QueueAdmin } from '@handoff/shared/queue/queue-admin';
import { queueRegistryKey, readQueueRegistry } from '@handoff/shared/queue/worker-heartbeat';
import type { GatewayRouteDeps } from '../../route-deps.js';

export interface OperatorQueues {
  /** queue → package, sorted by queue name. */
  registry(): Promise<Array<{ queue: string; packageName: string }>>;
  /** The package of `queue`, undefined when no package's worker registered it. */
  packageOf(queue: string): Promise<string | undefined>;
  admin(): Promise<QueueAdmin>;
}

const perGateway = new WeakMap<GatewayRouteDeps, OperatorQueues>();

/** One per gateway (its routes and dashboard share the Queue objects), closed with it. */
export function operatorQueues(deps: GatewayRouteDeps): OperatorQueues {
  const known = perGateway.get(deps);
  if (known) return known;
  const prefix = deps.config.operations.queuePrefix;
  let admin: Promise<QueueAdmin> | undefined;
  const queues: OperatorQueues = {
    registry: async () =>
      Object.entries(await readQueueRegistry(deps.redis(), prefix))
        .map(([queue, packageName]) => ({ queue, packageName }))
        .sort((a, b) => a.queue.localeCompare(b.queue)),
    packageOf: async (queue) => (await deps.redis().hget(queueRegistryKey(prefix), queue)) ?? undefined,
    admin: () =>
      (admin ??= import('@handoff/shared/queue/queue-admin').then(({ QueueAdmin: Admin }) => new Admin({ connection: deps.redis(), prefix, logger: deps.logger })).catch((err: unknown) => {
        admin = undefined;
        throw err;
      })),
  };
  deps.onClose(async () => {
    if (admin) await (await admin.catch(() => undefined))?.close();
  });
  perGateway.set(deps, queues);
  return queues;
}
