// Persisted and trusted documents through real gateways over the fixture subgraphs: Apollo's APQ
// wire format on the fast path (POST JSON) and on Apollo Server's express route (GET), with
// Handoff's executor and with GATEWAY_EXECUTOR=apollo; TRUSTED_DOCUMENTS=require refusing every
// operation its manifest does not list.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '@handoff/shared';
import { createGateway, loadGatewayConfig, type HandoffGateway } from '../src/index.js';
import { sha256Hex } from '../src/graphql/persisted-documents.js';
import { startFixtureSubgraphs, type FixtureSubgraphs } from './support/fixture-subgraphs.js';
import { getRaw, postJson, type RawResponse } from './support/http.js';
import { collect, wsClient } from '../../test/support/subscriptions.js';

const ADMIN_KEY = 'hk_adm_fixture_bootstrap_key_0001';
const TRUSTED = 'query Node($id: ID!) { node(id: $id) { id name child { name } } }';
/** In the manifest but not valid against the supergraph (a stale manifest): the gateway still starts. */
const STALE = 'query Stale { removedField }';
const pq = (query: string, hash = sha256Hex(query)) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

interface Started {
  gateway: HandoffGateway;
  server: RunningServer;
  url: string;
}
let fx: FixtureSubgraphs;
const started: Started[] = [];

async function start(env: Record<string, string>): Promise<Started> {
  const config = loadGatewayConfig({ NODE_ENV: 'development', HANDOFF_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', ...env });
  fx ??= await startFixtureSubgraphs(config.internalSecret);
  const gateway = await createGateway({ config, supergraphSdl: fx.supergraphSdl, subgraphUrls: fx.urls, routes: [] });
  const server = await gateway.listen(0);
  const s = { gateway, server, url: `${server.url}/graphql` };
  started.push(s);
  return s;
}

/** GET /graphql as an APQ client sends it (`useGETForHashedQueries`), CSRF preflight header included. */
function get(url: string, params: Record<string, unknown>): Promise<RawResponse> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return getRaw(`${url}?${search}`, { 'apollo-require-preflight': 'true' });
}

async function counter(gateway: HandoffGateway, metric: 'plans' | 'operations', label: string): Promise<number> {
  const { values } = await gateway.metrics[metric].get();
  return values.filter((v) => Object.values(v.labels).includes(label)).reduce((n, v) => n + v.value, 0);
}

let manifestPath: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-int-'));
  manifestPath = join(dir, 'persisted-documents.json');
  writeFileSync(manifestPath, JSON.stringify({ [sha256Hex(TRUSTED)]: TRUSTED, [sha256Hex(STALE)]: STALE }));
});
afterAll(async () => {
  for (const s of started) {
    await s.server.close();
    await s.gateway.close();
  }
  await fx?.stop();
});

const NOT_FOUND = { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] };

describe.each([
  ['handoff', 'POST (fast path)'],
  ['apollo', 'POST (GATEWAY_EXECUTOR=apollo)'],
])('automatic persisted queries, executor %s, %s', (executor) => {
  let g: Started;
  beforeAll(async () => {
    g = await start({ GATEWAY_EXECUTOR: executor });
  });

  it('hash miss → PERSISTED_QUERY_NOT_FOUND; hash + text registers; then the hash alone answers what the text answers', async () => {
    const query = `query Apq${executor}($id: ID!) { node(id: $id) { id name child { id name } } }`;
    const variables = { id: 'p1' };
    const miss = await postJson(g.url, { extensions: pq(query), variables });
    expect(miss.status).toBe(200);
    expect(miss.json).toEqual(NOT_FOUND);
    expect(miss.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');

    const text = await postJson(g.url, { query, variables });
    expect(text.json).toEqual({ data: { node: { id: 'p1', name: 'n-p1', child: { id: 'p1c', name: 'n-p1c' } } } });
    const registered = await postJson(g.url, { query, variables, extensions: pq(query) });
    expect(registered.status).toBe(200);
    expect(registered.json).toEqual(text.json);

    const plansBefore = await counter(g.gateway, 'plans', 'handoff');
    for (const id of ['p1', 'p2']) {
      const hit = await postJson(g.url, { extensions: pq(query), variables: { id } });
      expect(hit.status).toBe(200);
      expect(hit.json).toEqual((await postJson(g.url, { query, variables: { id } })).json);
    }
    // The hash hit is the text the plan cache already holds: not parsed, validated or planned again.
    expect(await counter(g.gateway, 'plans', 'handoff')).toBe(plansBefore);
    if (executor === 'handoff') expect(await counter(g.gateway, 'operations', 'handoff')).toBeGreaterThan(0);
  });

  it("a hash that is not the text's sha256 is refused (400) and registers nothing", async () => {
    const query = `query Wrong${executor} { whoami }`;
    const other = sha256Hex(`${query} `);
    const r = await postJson(g.url, { query, extensions: pq(query, other) });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }] });
    expect((await postJson(g.url, { extensions: pq(query, other) })).json).toEqual(NOT_FOUND);
    expect((await postJson(g.url, { extensions: pq(query) })).json).toEqual(NOT_FOUND);
  });

  it('a text that does not validate is answered as Apollo answers it and not registered', async () => {
    const query = `query Invalid${executor} { nope }`;
    const r = await postJson(g.url, { query, extensions: pq(query) });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await postJson(g.url, { extensions: pq(query) })).json).toEqual(NOT_FOUND);
  });

  it('GET (Apollo Server through express) round-trips too, and shares what POST registered', async () => {
    const query = `query Get${executor}($id: ID!) { node(id: $id) { name } }`;
    const variables = { id: 'g1' };
    expect((await get(g.url, { extensions: pq(query), variables })).json).toEqual(NOT_FOUND);
    const registered = await get(g.url, { query, extensions: pq(query), variables });
    expect(registered.status).toBe(200);
    expect(registered.json).toEqual({ data: { node: { name: 'n-g1' } } });
    expect((await get(g.url, { extensions: pq(query), variables })).json).toEqual(registered.json);
    expect((await postJson(g.url, { extensions: pq(query), variables })).json).toEqual(registered.json);
    const wrong = await get(g.url, { query, extensions: pq(query, sha256Hex('{ whoami }')), variables });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors[0]).toEqual({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });

  it('an unsupported version or a missing hash is 400 BAD_REQUEST', async () => {
    const v2 = await postJson(g.url, { extensions: { persistedQuery: { version: 2, sha256Hash: sha256Hex('{ whoami }') } } });
    expect(v2.status).toBe(400);
    expect(v2.json.errors[0]).toEqual({ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } });
    const noHash = await postJson(g.url, { extensions: { persistedQuery: { version: 1 } } });
    expect(noHash.status).toBe(400);
    expect(noHash.json.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('APQ_CACHE_ENTRIES=0', () => {
  it('a hash alone is PERSISTED_QUERY_NOT_SUPPORTED; hash + text still runs the text', async () => {
    const g = await start({ APQ_CACHE_ENTRIES: '0' });
    const query = '{ whoami }';
    const r = await postJson(g.url, { extensions: pq(query) });
    expect(r.json).toEqual({ errors: [{ message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }] });
    expect((await postJson(g.url, { query, extensions: pq(query) })).json.data.whoami).toBeTypeOf('string');
  });
});

describe('TRUSTED_DOCUMENTS=require', () => {
  let g: Started;
  beforeAll(async () => {
    g = await start({ TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_PATH: manifestPath });
  });
  const NOT_TRUSTED = { message: 'This gateway runs only the operations of its trusted-documents manifest; this one is not in it.', extensions: { code: 'OPERATION_NOT_TRUSTED' } };

  it('plans the manifest at start: the first requests by hash, with or without operationName, are plan-cache hits', async () => {
    const planned = await counter(g.gateway, 'plans', 'handoff');
    expect(planned).toBeGreaterThanOrEqual(1);
    expect((await postJson(g.url, { extensions: pq(TRUSTED), variables: { id: 'w' }, operationName: 'Node' })).json.data.node.id).toBe('w');
    expect((await postJson(g.url, { extensions: pq(TRUSTED), variables: { id: 'w' } })).json.data.node.id).toBe('w');
    expect(await counter(g.gateway, 'plans', 'handoff')).toBe(planned);
  });

  it('a manifest entry that no longer validates is answered as Apollo answers an invalid text', async () => {
    const r = await postJson(g.url, { extensions: pq(STALE) });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("runs the manifest's operation by hash (POST and GET) and by its exact text, with the same data", async () => {
    const variables = { id: 't1' };
    const expected = { data: { node: { id: 't1', name: 'n-t1', child: { name: 'n-t1c' } } } };
    expect((await postJson(g.url, { extensions: pq(TRUSTED), variables })).json).toEqual(expected);
    expect((await postJson(g.url, { query: TRUSTED, variables })).json).toEqual(expected);
    expect((await postJson(g.url, { query: TRUSTED, variables, extensions: pq(TRUSTED) })).json).toEqual(expected);
    expect((await get(g.url, { extensions: pq(TRUSTED), variables })).json).toEqual(expected);
  });

  it('refuses anything else with 400 OPERATION_NOT_TRUSTED before it reaches a subgraph: other texts, unknown hashes, APQ registration, GET, introspection', async () => {
    fx.seen.length = 0;
    const other = '{ whoami }';
    const attempts = [
      () => postJson(g.url, { query: other }),
      () => postJson(g.url, { query: `${TRUSTED} ` }),
      () => postJson(g.url, { extensions: pq(other) }),
      () => postJson(g.url, { query: other, extensions: pq(other) }),
      () => postJson(g.url, { query: '{ __schema { types { name } } }' }, { authorization: `Bearer ${ADMIN_KEY}` }),
      () => get(g.url, { query: other }),
      () => get(g.url, { extensions: pq(other) }),
    ];
    for (const attempt of attempts) {
      const r = await attempt();
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ errors: [NOT_TRUSTED] });
    }
    // Registration was refused too: the hash alone is still unknown.
    expect((await postJson(g.url, { extensions: pq(other) })).json).toEqual({ errors: [NOT_TRUSTED] });
    expect(fx.seen).toEqual([]);
  });

  it('refuses a subscription (graphql-ws) whose text is not in the manifest', async () => {
    const client = wsClient(g.url, ADMIN_KEY);
    try {
      const sub = collect(client, 'subscription Live { whoami }');
      expect(await sub.ended()).toEqual([expect.objectContaining(NOT_TRUSTED)]);
      expect(sub.results).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
