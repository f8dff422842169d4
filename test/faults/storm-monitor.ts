// A progress line every few seconds while the storm runs and drains: events processed, conversions
// recorded, how busy the machine's CPUs were, and which of Handoff's processes used them — so a
// slow drain shows whether it was short of CPU or waiting on something.
import { readFileSync } from 'node:fs';
import type { FaultHandoff } from '../../bench/src/harness/harness.js';
import { cpuSeconds } from '../../bench/src/system/accounting.js';

/** [busy, total] jiffies of all CPUs. */
function machineJiffies(): [number, number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return [total - idle, total];
}

export function startStormMonitor(
  h: FaultHandoff,
  merchantId: string,
  t0: number,
  log: (line: string) => void,
  everyMs = 5000,
): () => void {
  let prevJ = machineJiffies();
  let prevCpu = new Map<string, number>();
  for (const [n, p] of h.processes) prevCpu.set(n, cpuSeconds(p.pid));
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    void (async () => {
      try {
        const rows = await h.postgres
          .query<{ processed: number; waiting: number; conversions: number }>(
            `SELECT (SELECT count(*)::int FROM payment.webhook_inbox WHERE merchant_id = $1 AND processed_at IS NOT NULL) AS processed,
                    (SELECT count(*)::int FROM payment.webhook_inbox WHERE merchant_id = $1 AND processed_at IS NULL) AS waiting,
                    (SELECT count(*)::int FROM ledger.conversions WHERE merchant_id = $1) AS conversions`,
            [merchantId],
          )
          .catch(() => null);
        const j = machineJiffies();
        const cpuPct = Math.round((100 * (j[0] - prevJ[0])) / Math.max(1, j[1] - prevJ[1]));
        prevJ = j;
        const cur = new Map<string, number>();
        for (const [n, p] of h.processes) cur.set(n, cpuSeconds(p.pid));
        const used = [...cur.entries()]
          .map(([n, v]) => [n, v - (prevCpu.get(n) ?? v)] as const)
          .filter(([, d]) => d > 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([n, d]) => `${n} ${Math.round((100 * d * 1000) / everyMs)}%`);
        prevCpu = cur;
        const r = rows?.[0];
        log(
          `  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${r ? `processed ${r.processed}, waiting ${r.waiting}, conversions ${r.conversions}` : 'database unavailable'}; machine CPU ${cpuPct}% busy; ${used.join(', ')}`,
        );
      } finally {
        busy = false;
      }
    })();
  }, everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
