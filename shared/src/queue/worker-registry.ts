// Which package's workers a BullMQ queue belongs to, in this process. A package's background work
// is started by defineSubgraph (http/define-subgraph.ts) inside `startingWorkersOf(name, …)`;
// every `startWorker` called from there (directly or through the package's own helpers) records
// its queue under that package and the process's queue prefix, and the package's worker
// heartbeat (worker-heartbeat.ts) publishes the list, so an operator's tools find every queue of
// every package without a list kept by hand. A worker started anywhere else (the sandbox PSP, a
// test's own worker) belongs to no package and is not recorded.
//
// Not reached from the gateway (it must not enter an AsyncLocalStorage: gateway/src/module-weight.spec.ts).
import { AsyncLocalStorage } from 'node:async_hooks';

const owner = new AsyncLocalStorage<string>();
/** prefix → package → its queues (started in this process). */
const started = new Map<string, Map<string, Set<string>>>();

/** Runs `start` (a package's startWorkers) so that the workers it starts are recorded as `packageName`'s. */
export function startingWorkersOf<T>(packageName: string, start: () => Promise<T>): Promise<T> {
  return owner.run(packageName, start);
}

/** Called by startWorker: records `queue` under the package whose workers are being started, if any. */
export function recordWorkerQueue(prefix: string, queue: string): void {
  const packageName = owner.getStore();
  if (!packageName) return;
  let byPackage = started.get(prefix);
  if (!byPackage) started.set(prefix, (byPackage = new Map()));
  let queues = byPackage.get(packageName);
  if (!queues) byPackage.set(packageName, (queues = new Set()));
  queues.add(queue);
}

/** The queues `packageName`'s workers consume in this process, under `prefix`. */
export function workerQueuesOf(prefix: string, packageName: string): string[] {
  return [...(started.get(prefix)?.get(packageName) ?? [])].sort();
}
