// Readiness of the gateway = readiness of each subgraph (the gateway itself holds no database):
// GET <subgraph origin>/health/ready must answer 200.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
  const https = url.protocol === 'https:';
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, { method: 'GET', agent: https ? agents.https : agents.http, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
}
