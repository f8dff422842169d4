// Readiness of the gateway = readiness of each subgraph (the gateway itself holds no database):
// GET <subgraph origin>/health/ready must answer 200.
import type { ReadinessCheck } from '@handoff/shared/http/health';
import type { SubgraphAgents } from '../subgraph/signing-fetcher.js';

export function subgraphReadinessChecks(
  subgraphUrls: Record<string, string>,
  agents: SubgraphAgents,
  timeoutMs = 2000,
): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [name, probe(new URL('/health/ready', url), agents, timeoutMs)]),
  );
}

function probe(url: URL, agents: SubgraphAgents, timeoutMs: number): ReadinessCheck {
  return async () => {
    const res = await agents.dispatcher.request({
      origin: url.origin,
      path: url.pathname,
      method: 'GET',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  };
}
