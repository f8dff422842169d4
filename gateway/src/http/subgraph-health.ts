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
  return () => statusOf(url, agents, timeoutMs).then((status) => {
    if (status !== 200) throw new Error(`HTTP ${status}`);
  });
}

/** GET on the pooled connections (undici's dispatch: the gateway loads its Agent alone), the body discarded. */
function statusOf(url: URL, agents: SubgraphAgents, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    agents.dispatcher.dispatch(
      { origin: url.origin, path: url.pathname, method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      {
        onRequestStart() {}, // its presence marks the handler as undici's current kind
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData() {},
        onResponseEnd() {
          resolve(status);
        },
        onResponseError(_controller, err) {
          reject(err);
        },
      },
    );
  });
}
