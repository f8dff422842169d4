// A subgraph that stops: readiness names it, and queries that need it get "Unexpected error."
// with no URL, status or stack. The gateway under test runs over the real subgraphs, with its own
// instance of the conversion-ledger subgraph that the test can stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer, SubgraphApp } from '@handoff/shared';
import { composeSupergraph, subgraphModules, type RunningHandoff } from '@handoff/launcher';
import { createGateway, loadGatewayConfig, type HandoffGateway } from '../src/index.js';
import { startTestHandoff } from '../../test/support/handoff.js';
import { bearer, getRaw, postJson } from './support/http.js';

let handoff: RunningHandoff;
let ledgerApp: SubgraphApp;
let ledgerServer: RunningServer;
let gateway: HandoffGateway;
let gatewayServer: RunningServer;

beforeAll(async () => {
  handoff = await startTestHandoff({ workers: false });
  const ledgerModule = subgraphModules.find((m) => m.name === 'conversion-ledger')!;
  ledgerApp = await ledgerModule.createApp(ledgerModule.loadConfig(handoff.env));
  ledgerServer = await ledgerApp.listen(0, '127.0.0.1');
  const urls = Object.fromEntries(handoff.subgraphs.map((s) => [s.name, s.url]));
  urls['conversion-ledger'] = `${ledgerServer.url}/graphql`;
  const { supergraphSdl } = composeSupergraph(handoff.subgraphs.map((s) => ({ name: s.name, url: s.url, sdl: s.app.sdl })));
  gateway = await createGateway({
    config: loadGatewayConfig({ ...handoff.env, SUBGRAPH_TIMEOUT_MS: '2000' }),
    supergraphSdl,
    subgraphUrls: urls,
  });
  gatewayServer = await gateway.listen(0);
});
afterAll(async () => {
  await gatewayServer?.close();
  await gateway?.close();
  await ledgerServer?.close().catch(() => undefined);
  await ledgerApp?.close();
  await handoff?.stop();
});

describe('a subgraph that stops', () => {
  it('/health/ready → 200 while every subgraph is up, then 503 naming the stopped one', async () => {
    const up = await getRaw(`${gatewayServer.url}/health/ready`);
    expect(up.status).toBe(200);
    expect(up.json.failing).toEqual([]);

    await ledgerServer.close();

    const down = await getRaw(`${gatewayServer.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(down.json).toEqual({
      ready: false,
      dependencies: { merchant: 'up', 'checkout-session': 'up', 'payment-intent': 'up', 'conversion-ledger': 'down' },
      failing: ['conversion-ledger'],
    });
    expect((await getRaw(`${gatewayServer.url}/health/live`)).status).toBe(200);
  });

  it('a query that needs it → SERVICE_UNAVAILABLE (retryable), no URL, port or stack; other fields still answer', async () => {
    const r = await postJson(
      `${gatewayServer.url}/graphql`,
      { query: '{ viewer { role } conversion(id: "01JZZZZZZZZZZZZZZZZZZZZZZZ") { id } }' },
      bearer(handoff.adminKey),
    );
    expect(r.status).toBe(200);
    expect(r.json.data.viewer).toEqual({ role: 'ADMIN' });
    expect(r.json.data.conversion).toBeNull();
    expect(r.json.errors).toHaveLength(1);
    // A failed fetch has no path in @apollo/gateway; the error carries nothing but message and code.
    // An unreachable subgraph is an outage, not a bug: the client is told to retry.
    expect(r.json.errors[0]).toEqual({ message: 'Service temporarily unavailable; retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(r.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|localhost|:\d{4,5}\b|serviceName|stack/);
  });

  it('counts the failed subgraph calls in /metrics', async () => {
    const r = await getRaw(`${gatewayServer.url}/metrics`);
    expect(r.text).toMatch(/handoff_subgraph_fetch_errors_total\{[^}]*subgraph="conversion-ledger"[^}]*kind="network"[^}]*\} [1-9]/);
    expect(r.text).toMatch(/handoff_graphql_errors_total\{[^}]*code="SERVICE_UNAVAILABLE"[^}]*\} [1-9]/);
  });
});
