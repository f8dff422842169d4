// The gateway's Prometheus metrics: the shared HTTP/GraphQL ones plus subgraph call latency and
// failures. Label children are bound once per subgraph so the hot path does no label hashing.
import { Counter, Histogram } from 'prom-client';
import { createMetrics, type Metrics } from '@handoff/shared/http/metrics';

export interface GatewayMetrics extends Metrics {
  subgraphFetchDuration: Histogram<'subgraph'>;
  subgraphFetchErrors: Counter<'subgraph' | 'kind'>;
  /** Federated operations run, by executor: `handoff` (prepared) or `apollo` (@apollo/gateway's). */
  operations: Counter<'executor'>;
  /** Plan-cache misses by who planned them: `handoff` (its planner) or `apollo` (@apollo/query-planner). */
  plans: Counter<'planner'>;
  /** An `observe` for one subgraph's fetcher. */
  fetchObserver(subgraph: string): (seconds: number, outcome: string) => void;
}

export function createGatewayMetrics(): GatewayMetrics {
  const base = createMetrics('gateway');
  const subgraphFetchDuration = new Histogram({
    name: 'handoff_subgraph_fetch_duration_seconds',
    help: 'Gateway → subgraph call latency, by subgraph',
    labelNames: ['subgraph'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [base.registry],
  });
  const subgraphFetchErrors = new Counter({
    name: 'handoff_subgraph_fetch_errors_total',
    help: 'Gateway → subgraph calls that failed, by subgraph and kind (timeout, network, http_<status>)',
    labelNames: ['subgraph', 'kind'],
    registers: [base.registry],
  });
  const operations = new Counter({
    name: 'handoff_gateway_operations_total',
    help: "Federated queries and mutations run, by executor: handoff (prepared once, gateway/src/execution) or apollo (@apollo/gateway's)",
    labelNames: ['executor'],
    registers: [base.registry],
  });
  const plans = new Counter({
    name: 'handoff_gateway_plans_total',
    help: "Plan-cache misses, by planner: handoff (gateway/src/execution/planner) or apollo (what Handoff's planner leaves to @apollo/query-planner)",
    labelNames: ['planner'],
    registers: [base.registry],
  });
  return {
    ...base,
    subgraphFetchDuration,
    subgraphFetchErrors,
    operations,
    plans,
    fetchObserver(subgraph) {
      const duration = subgraphFetchDuration.labels({ subgraph });
      return (seconds, outcome) => {
        duration.observe(seconds);
        if (outcome !== 'ok') subgraphFetchErrors.inc({ subgraph, kind: outcome });
      };
    },
  };
}
