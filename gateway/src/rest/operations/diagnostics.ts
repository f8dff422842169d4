// GET /v1/checkout/diagnostics and GET /v1/checkout/threads (seed 003 §18, ADMIN key).
//   diagnostics: in-flight checkout sessions (OPEN, from the graph), every queue's depth by state,
//                the workers' heartbeats, and the average latencies this gateway measures (its
//                Prometheus histograms: each subgraph's calls, each HTTP route) since it started.
//   threads:     jobs active for at least `older_than_seconds` (OPS_LONG_RUNNING_JOB_SECONDS by
//                default) across every queue, longest first: queue, package, id, name, started_at,
//                running_for_ms, attempts_made. `limit` 1 to 100 (20).
import type { Express } from 'express';
import type { Histogram } from 'prom-client';
import { requestIdOf } from '../../http/request-id.js';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { intQuery, mountAdminRoute, OPS, pageOf } from './admin-route.js';
import { operatorQueues } from './operator-queues.js';
import { queueJson } from './queues.js';
import { workerBeats } from './subsystems.js';

const OPEN_SESSIONS = 'query OperatorOpenCheckoutSessions { checkoutSessions(status: OPEN, first: 1) { totalCount } }';

/** Per label value: observations and their average (ms), from a histogram's _sum and _count. */
export async function averagesOf(histogram: Histogram<string>, label: string): Promise<Record<string, { count: number; average_ms: number | null }>> {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const v of (await histogram.get()).values) {
    const key = String(v.labels[label] ?? '');
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_sum')) sums.set(key, v.value);
    else if (name.endsWith('_count')) counts.set(key, v.value);
  }
  return Object.fromEntries(
    [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => [key, { count, average_ms: count > 0 ? Math.round(((sums.get(key) ?? 0) / count) * 1000 * 100) / 100 : null }]),
  );
}

export function mountDiagnosticsRoutes(app: Express, deps: GatewayRouteDeps): void {
  const queues = operatorQueues(deps);

  mountAdminRoute(app, deps, 'get', `${OPS}/diagnostics`, async (call) => {
    const [sessions, registry, beats, subgraphCalls, httpRoutes] = await Promise.all([
      deps.execute<{ checkoutSessions: { totalCount: number } }>({ query: OPEN_SESSIONS, principal: call.principal, requestId: requestIdOf(call.req) }),
      queues.registry(),
      workerBeats(deps),
      averagesOf(deps.metrics.subgraphFetchDuration, 'subgraph'),
      averagesOf(deps.metrics.httpDuration, 'route'),
    ]);
    const counts = await (await queues.admin()).counts(registry.map((r) => r.queue));
    const openSessions = sessions.data?.checkoutSessions?.totalCount;
    if (openSessions === undefined) deps.logger.warn({ errors: sessions.errors, requestId: requestIdOf(call.req) }, 'diagnostics: open checkout sessions unavailable');
    call.res.json({
      checked_at: new Date().toISOString(),
      inflight: { open_checkout_sessions: openSessions ?? null },
      queues: counts.map((c, i) => queueJson(c, registry[i]!.packageName)),
      workers: beats.map((b) => ({
        package: b.packageName,
        alive: b.alive,
        live_processes: b.liveProcesses,
        last_beat_at: b.lastBeatAt === null ? null : new Date(b.lastBeatAt).toISOString(),
      })),
      latencies: { since: 'gateway start', subgraph_calls: subgraphCalls, http_routes: httpRoutes },
    });
  });

  mountAdminRoute(app, deps, 'get', `${OPS}/threads`, async (call) => {
    const olderThan = intQuery(call, 'older_than_seconds', deps.config.operations.longRunningJobSeconds, 0, 86_400);
    if (olderThan === undefined) return;
    const page = pageOf(call);
    if (!page) return;
    if (page.after !== undefined) return void call.res.status(400).json({ error: 'cursor: this list has one page (narrow it with older_than_seconds).', code: 'BAD_USER_INPUT', field: 'cursor' });
    const registry = await queues.registry();
    const packageOf = new Map(registry.map((r) => [r.queue, r.packageName]));
    const jobs = await (await queues.admin()).longRunning(registry.map((r) => r.queue), olderThan * 1000);
    call.res.json({
      data: jobs.slice(0, page.first).map((j) => ({
        queue: j.queue,
        package: packageOf.get(j.queue) ?? null,
        id: j.id,
        name: j.name,
        started_at: j.startedAt.toISOString(),
        running_for_ms: j.runningForMs,
        attempts_made: j.attemptsMade,
      })),
      has_more: jobs.length > page.first,
      next_cursor: null,
      older_than_seconds: olderThan,
    });
  });
}
