// /health/live and /health/ready for any process. Readiness names each dependency.
import type { Express, Request, Response } from 'express';

export type ReadinessCheck = () => Promise<void>;

/** What readiness reports beside its checks without failing on it (e.g. the read replica's lag). */
export type ReadinessDetails = Record<string, () => unknown>;

export function mountHealth(app: Express, checks: Record<string, ReadinessCheck>, timeoutMs = 2000, details: ReadinessDetails = {}): void {
  app.get('/health/live', (_req: Request, res: Response) => {
    res.status(200).json({ status: 'live' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    const report = await checkReadiness(checks, timeoutMs);
    const extra = Object.entries(details);
    res.status(report.ready ? 200 : 503).json(extra.length ? { ...report, details: Object.fromEntries(extra.map(([k, f]) => [k, f()])) } : report);
  });
}

export async function checkReadiness(checks: Record<string, ReadinessCheck>, timeoutMs = 2000) {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'up'] as const;
      } catch {
        return [name, 'down'] as const;
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  const failing = entries.filter(([, s]) => s === 'down').map(([n]) => n);
  return { ready: failing.length === 0, dependencies, failing };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
