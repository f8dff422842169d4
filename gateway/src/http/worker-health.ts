// Readiness of the packages' workers (API.md: readiness names postgres, redis, each subgraph and
// the workers): `<package>-worker` is up while one of the package's worker processes has beaten
// within WORKER_HEARTBEAT_MAX_AGE_MS (shared/src/queue/worker-heartbeat.ts). READINESS_WORKERS
// says whose are required (none for a deployment that runs no workers).
import type { ReadinessCheck } from '@handoff/shared/http/health';
import { readWorkerBeats } from '@handoff/shared/queue/worker-heartbeat';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { OperationsSettings } from '../config.js';

export const workerCheckName = (packageName: string) => `${packageName}-worker`;

export function workerReadinessChecks(redis: () => RedisClient, ops: OperationsSettings): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    ops.readinessWorkers.map((name) => [
      workerCheckName(name),
      async () => {
        const [beat] = await readWorkerBeats(redis(), ops.queuePrefix, [name], ops.heartbeatMaxAgeMs);
        if (!beat?.alive) throw new Error(`${name}: no worker heartbeat within ${ops.heartbeatMaxAgeMs} ms`);
      },
    ]),
  );
}
