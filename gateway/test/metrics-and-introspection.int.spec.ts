// What the public port shows by NODE_ENV: /metrics (production: only on the metrics listener,
// METRICS_PORT on 127.0.0.1, optionally behind METRICS_TOKEN) and introspection (production:
// refused to everyone, by either executor; development: open without a key, for Sandbox).
// The real gateway over the committed supergraph; no subgraph is called by any of this.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, loadGatewayConfig, type GatewayServer, type HandoffGateway } from '@handoff/gateway';
import { testEnv } from '../../test/support/env.js';
import { bearer, getRaw, postJson } from './support/http.js';

const ADMIN_KEY = `hk_adm_${'a'.repeat(40)}`;
const TOKEN = 'scrape-token-0123456789abcdef';
let running: Array<{ gateway: HandoffGateway; server: GatewayServer }> = [];

async function start(env: Record<string, string>) {
  const config = loadGatewayConfig({
    HANDOFF_INTERNAL_SECRET: 'i'.repeat(40),
    HANDOFF_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    REDIS_URL: testEnv().redisUrl,
    QUEUE_PREFIX: `${testEnv().queuePrefix}-metrics`,
    ...env,
  });
  const gateway = await createGateway({ config, supergraphSdl: readFileSync(config.supergraphPath, 'utf8'), subgraphUrls: config.subgraphUrls });
  const server = await gateway.listen(0);
  running.push({ gateway, server });
  return { config, server, url: server.url };
}

afterEach(async () => {
  for (const { gateway, server } of running) {
    await server.close();
    await gateway.close();
  }
  running = [];
});

describe('/metrics', () => {
  it('production: the public port answers 404; the metrics listener on 127.0.0.1 serves it', async () => {
    const { server, url } = await start({ NODE_ENV: 'production', METRICS_PORT: '0' });
    const pub = await getRaw(`${url}/metrics`);
    expect(pub.status).toBe(404);
    expect(pub.text).not.toMatch(/process_resident_memory_bytes|handoff_/);

    await postJson(`${url}/graphql`, { query: '{ __typename }' });
    const metricsUrl = new URL(server.metricsUrl);
    expect(metricsUrl.hostname).toBe('127.0.0.1');
    expect(metricsUrl.port).not.toBe(new URL(url).port);
    const scraped = await getRaw(server.metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(scraped.text).toMatch(/handoff_http_requests_total\{[^}]*route="\/graphql"/);
    expect(scraped.text).toMatch(/process_resident_memory_bytes/);
    // Nothing else is served there.
    expect((await getRaw(`${metricsUrl.origin}/graphql`)).status).toBe(404);
  });

  it('production without METRICS_PORT: port 9464 on 127.0.0.1', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'production', HANDOFF_INTERNAL_SECRET: 'i'.repeat(40), HANDOFF_ADMIN_KEY: ADMIN_KEY });
    expect(config.metrics).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
  });

  it('production: METRICS_TOKEN wants the bearer token on the metrics listener', async () => {
    const { server } = await start({ NODE_ENV: 'production', METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    const anonymous = await getRaw(server.metricsUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await getRaw(server.metricsUrl, bearer(`${TOKEN}x`))).status).toBe(401);
    const scraped = await getRaw(server.metricsUrl, bearer(TOKEN));
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(/process_resident_memory_bytes/);
  });

  it('production: a taken METRICS_PORT fails listen with EADDRINUSE and frees the public port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const config = loadGatewayConfig({
        NODE_ENV: 'production',
        HANDOFF_INTERNAL_SECRET: 'i'.repeat(40),
        HANDOFF_ADMIN_KEY: ADMIN_KEY,
        LOG_LEVEL: 'silent',
        REDIS_URL: testEnv().redisUrl,
        QUEUE_PREFIX: `${testEnv().queuePrefix}-metrics`,
        METRICS_PORT: String(taken),
      });
      const gateway = await createGateway({ config, supergraphSdl: readFileSync(config.supergraphPath, 'utf8'), subgraphUrls: config.subgraphUrls });
      try {
        await expect(gateway.listen(0)).rejects.toMatchObject({ code: 'EADDRINUSE', port: taken });
      } finally {
        await gateway.close();
      }
    } finally {
      blocker.close();
    }
  });

  it('development: served on the public port as before, no listener of its own', async () => {
    const { server, url } = await start({ NODE_ENV: 'development' });
    expect(server.metricsUrl).toBe(`${url}/metrics`);
    const r = await getRaw(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/process_resident_memory_bytes/);
  });

  it('development with METRICS_PORT: only on that listener', async () => {
    const { server, url } = await start({ NODE_ENV: 'development', METRICS_PORT: '0' });
    expect((await getRaw(`${url}/metrics`)).status).toBe(404);
    expect((await getRaw(server.metricsUrl)).status).toBe(200);
  });
});

describe('introspection', () => {
  const queries = {
    schema: '{ __schema { queryType { name } } }',
    type: '{ __type(name: "Merchant") { name } }',
    aliased: '{ s: __schema { types { name } } }',
    fragment: 'query { ...F } fragment F on Query { __schema { queryType { name } } }',
  };

  for (const executor of ['handoff', 'apollo']) {
    it(`production (GATEWAY_EXECUTOR=${executor}): refused with or without a key, by POST and GET`, async () => {
      const { url } = await start({ NODE_ENV: 'production', METRICS_PORT: '0', GATEWAY_EXECUTOR: executor });
      for (const [name, query] of Object.entries(queries)) {
        for (const headers of [{}, bearer(ADMIN_KEY)]) {
          const posted = await postJson(`${url}/graphql`, { query }, headers);
          expect(posted.status, `${name} POST`).toBe(400);
          expect(posted.json.errors[0].message, name).toMatch(/introspection is not allowed/i);
          expect(posted.json.data, name).toBeUndefined();
          const got = await getRaw(`${url}/graphql?query=${encodeURIComponent(query)}`, { ...headers, 'apollo-require-preflight': 'true' });
          expect(got.status, `${name} GET`).toBe(400);
          expect(got.text, `${name} GET`).not.toMatch(/"queryType"|"types"/);
        }
      }
    });
  }

  it('development: allowed without a key (Apollo Sandbox)', async () => {
    const { url } = await start({ NODE_ENV: 'development' });
    const r = await postJson(`${url}/graphql`, { query: queries.fragment });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});
