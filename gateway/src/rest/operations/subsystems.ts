// The pieces of the operators' health report (health.ts): each subgraph's own view of its
// PostgreSQL schema, Redis and package-specific subsystems (the signed internal route every
// subgraph serves: shared/src/http/operations-health.ts), the workers' heartbeats, the queues'
// counts against their thresholds, and the hosted page served by this gateway.
import type { Request } from 'express';
import { request as httpRequest } from 'node:http';
import type { HealthReport, HealthStatus, OperationsHealthAnswer } from '@handoff/shared/http/operations-health';
import { OPERATIONS_HEALTH_URL_PATH } from '@handoff/shared/http/operations-health';
import type { QueueCounts } from '@handoff/shared/queue/queue-admin';
import { readWorkerBeats, type WorkerBeat } from '@handoff/shared/queue/worker-heartbeat';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../subgraph/subgraph-names.js';

export const PROBE_TIMEOUT_MS = 3_000;
const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

export const worst = (statuses: HealthStatus[]): HealthStatus => statuses.reduce<HealthStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A subgraph's answer to its operations health route: its checks, or why there is none. */
export type SubgraphView = { ok: true; ms: number; checks: Record<string, HealthReport> } | { ok: false; why: string };

export async function subgraphViews(deps: GatewayRouteDeps): Promise<Record<SubgraphName, SubgraphView>> {
  const views = await Promise.all(
    SUBGRAPH_NAMES.map(async (name): Promise<[SubgraphName, SubgraphView]> => {
      const started = Date.now();
      try {
        const res = await withTimeout(deps.callInternal(name, OPERATIONS_HEALTH_URL_PATH, Buffer.from('{}'), { 'content-type': 'application/json' }), PROBE_TIMEOUT_MS, name);
        if (res.status !== 200) return [name, { ok: false, why: `answered HTTP ${res.status}` }];
        const body = JSON.parse(res.body.toString('utf8')) as OperationsHealthAnswer;
        return [name, { ok: true, ms: Date.now() - started, checks: body.checks ?? {} }];
      } catch (err) {
        return [name, { ok: false, why: `unreachable (${reasonOf(err)})` }];
      }
    }),
  );
  return Object.fromEntries(views) as Record<SubgraphName, SubgraphView>;
}

export function subgraphReport(name: SubgraphName, view: SubgraphView): HealthReport {
  if (!view.ok) return { status: 'down', detail: `${name} subgraph ${view.why}` };
  const failing = Object.entries(view.checks).filter(([, c]) => c.status !== 'ok');
  if (failing.length) return { status: 'degraded', detail: `${name} subgraph answered in ${view.ms} ms; ${failing.map(([n, c]) => `${n} ${c.status}`).join(', ')}` };
  return { status: 'ok', detail: `${name} subgraph answered in ${view.ms} ms` };
}

/** One check (`postgres`, `redis`, `psp`) as each subgraph, or the ones named, reported it. */
export function fromSubgraphs(views: Record<SubgraphName, SubgraphView>, check: string, only: readonly SubgraphName[] = SUBGRAPH_NAMES): HealthReport {
  const parts = only.map((name) => {
    const view = views[name];
    if (!view.ok) return { status: 'down' as HealthStatus, detail: `${name}: unknown (subgraph ${view.why})` };
    const c = view.checks[check];
    if (!c) return { status: 'down' as HealthStatus, detail: `${name}: no ${check} check` };
    return { status: c.status, detail: `${name}: ${c.detail}` };
  });
  return { status: worst(parts.map((p) => p.status)), detail: parts.map((p) => p.detail).join('; ') };
}

/**
 * The read replica (DATABASE_READ_URL) as the subgraphs that use one report it (their
 * `read_replica` check), with each one's figures under `replicas`; undefined when none is
 * configured. Never `down`: a replica that cannot be used degrades (BI reads go to the primary).
 */
export function readReplicaReport(views: Record<SubgraphName, SubgraphView>, check = 'read_replica'): (HealthReport & { replicas: Record<string, unknown> }) | undefined {
  const using = SUBGRAPH_NAMES.flatMap((name) => {
    const view = views[name];
    const c = view.ok ? view.checks[check] : undefined;
    return c ? [[name, c] as const] : [];
  });
  if (!using.length) return undefined;
  const status = worst(using.map(([, c]) => (c.status === 'ok' ? 'ok' : 'degraded')));
  return {
    status,
    detail: using.map(([name, c]) => `${name}: ${c.detail}`).join('; '),
    replicas: Object.fromEntries(using.map(([name, c]) => [name, { status: c.status, ...c.data }])),
  };
}

export async function workerBeats(deps: GatewayRouteDeps): Promise<WorkerBeat[]> {
  const ops = deps.config.operations;
  return readWorkerBeats(deps.redis(), ops.queuePrefix, SUBGRAPH_NAMES, ops.heartbeatMaxAgeMs);
}

export function workersReport(beats: WorkerBeat[], maxAgeMs: number, now = Date.now()): HealthReport {
  const missing = beats.filter((b) => !b.alive);
  const age = (b: WorkerBeat) => (b.lastBeatAt === null ? 'never beat' : `last beat ${Math.round((now - b.lastBeatAt) / 1000)} s ago`);
  if (missing.length) {
    return { status: 'down', detail: `no heartbeat within ${maxAgeMs / 1000} s from: ${missing.map((b) => `${b.packageName} (${age(b)})`).join(', ')}` };
  }
  return { status: 'ok', detail: beats.map((b) => `${b.packageName}: ${b.liveProcesses} process${b.liveProcesses === 1 ? '' : 'es'}`).join('; ') };
}

export interface QueueThresholds {
  waitingDegraded: number;
  failedDegraded: number;
}

/** A queue's state against the thresholds: its failed and waiting jobs. */
export function queueStatus(c: QueueCounts, t: QueueThresholds): { status: HealthStatus; note?: string } {
  const waiting = c.waiting + c.prioritized;
  const notes: string[] = [];
  if (c.failed >= t.failedDegraded) notes.push(`${c.failed} failed`);
  if (waiting >= t.waitingDegraded) notes.push(`${waiting} waiting`);
  return notes.length ? { status: 'degraded', note: `${c.queue}: ${notes.join(', ')}` } : { status: 'ok' };
}

export function queuesReport(counts: QueueCounts[], t: QueueThresholds, what = 'queues'): HealthReport {
  if (!counts.length) return { status: 'degraded', detail: `no ${what} registered (no package's worker has started under this queue prefix)` };
  const states = counts.map((c) => queueStatus(c, t));
  const notes = states.flatMap((s) => (s.note ? [s.note] : []));
  const total = (k: 'waiting' | 'active' | 'delayed' | 'failed') => counts.reduce((n, c) => n + c[k], 0);
  const summary = `${counts.length} ${what}: ${total('waiting')} waiting, ${total('active')} active, ${total('delayed')} delayed, ${total('failed')} failed`;
  return { status: worst(states.map((s) => s.status)), detail: notes.length ? `${summary} (thresholds: ${t.failedDegraded} failed, ${t.waitingDegraded} waiting; ${notes.join('; ')})` : summary };
}

/**
 * The hosted page: its assets as this gateway serves them (fetched over loopback from the listener
 * the health request came in on), and the subgraphs it needs (checkout-session, payment-intent).
 */
export async function hostedPagesReport(req: Request, views: Record<SubgraphName, SubgraphView>): Promise<HealthReport> {
  const needs: SubgraphName[] = ['checkout-session', 'payment-intent'];
  const missing = needs.filter((n) => !views[n].ok);
  const started = Date.now();
  let status: number;
  try {
    status = await withTimeout(getStatus(req, '/checkout/assets/checkout.js'), PROBE_TIMEOUT_MS, 'hosted page assets');
  } catch (err) {
    return { status: 'down', detail: `hosted page assets: ${reasonOf(err)}` };
  }
  if (status !== 200) return { status: 'down', detail: `hosted page assets answered HTTP ${status}` };
  const served = `page assets served in ${Date.now() - started} ms`;
  if (missing.length) return { status: 'degraded', detail: `${served}; ${missing.join(', ')} unreachable: buyers cannot pay` };
  return { status: 'ok', detail: `${served}; checkout-session and payment-intent reachable` };
}

function getStatus(req: Request, path: string): Promise<number> {
  const local = req.socket.localAddress ?? '127.0.0.1';
  const host = local.startsWith('::ffff:') ? local.slice(7) : local;
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host, port: req.socket.localPort, path, method: 'GET', family: host.includes(':') ? 6 : 4 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
}
