// What a subgraph tells the gateway's operator health report (GET /v1/checkout/health) about the
// subsystems it can vouch for: its PostgreSQL schema, Redis, and what its package adds (the PSPs
// payment-intent reaches). A signed internal route, POST /internal/operations/health, answering
// `{ checks: { <name>: { status: ok|degraded|down, detail } } }`. Never part of readiness: a
// PSP that is down degrades health, it does not take a subgraph out of the load balancer.
import type { InternalRoute } from './internal-routes.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  status: HealthStatus;
  detail: string;
  /** Figures beside the sentence (e.g. the read replica's lag), copied into the gateway's report. */
  data?: Record<string, unknown>;
}

/** Resolves with the subsystem's state; a throw or a timeout counts as `down`. */
export type HealthProbe = () => Promise<HealthReport>;

/** Under /internal (internal-routes.ts). */
export const OPERATIONS_HEALTH_PATH = '/operations/health';
/** What the gateway calls. */
export const OPERATIONS_HEALTH_URL_PATH = `/internal${OPERATIONS_HEALTH_PATH}`;

export interface OperationsHealthAnswer {
  checks: Record<string, HealthReport>;
}

/** Runs every probe at once, each bounded by `timeoutMs`. */
export async function runHealthProbes(probes: Record<string, HealthProbe>, timeoutMs: number): Promise<Record<string, HealthReport>> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        return [name, await Promise.race([probe(), timeout])] as const;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return [name, { status: 'down', detail: `${why} (after ${Date.now() - started} ms)` } satisfies HealthReport] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** A probe that is `ok` when `check` resolves (with its time), `down` when it throws. */
export function reachable(check: () => Promise<unknown>, what: string): HealthProbe {
  return async () => {
    const started = Date.now();
    await check();
    return { status: 'ok', detail: `${what} answered in ${Date.now() - started} ms` };
  };
}

export function operationsHealthRoute(probes: Record<string, HealthProbe>, timeoutMs = 2_000): InternalRoute {
  return {
    path: OPERATIONS_HEALTH_PATH,
    handle: async () => ({ status: 200, body: { checks: await runHealthProbes(probes, timeoutMs) } satisfies OperationsHealthAnswer }),
  };
}
