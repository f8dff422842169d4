// What leaves the gateway when a subgraph fails in ways the real subgraphs cannot be made to fail
// on demand (a resolver throwing a plain Error with a URL and a path in it; a subgraph answering
// HTTP 500 with internals in its body), and exactly what the gateway sends to subgraphs.
// The fixture subgraphs run behind the shared signed subgraph server, as the real ones do.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodePrincipal, type RunningServer } from '@handoff/shared';
import { requestIdOf } from '../src/http/request-id.js';
import { createGateway, loadGatewayConfig, type HandoffGateway, type RouteMount } from '../src/index.js';
import { startFixtureSubgraphs, type FixtureSubgraphs } from './support/fixture-subgraphs.js';
import { bearer, getRaw, postJson, postRaw } from './support/http.js';

// A feature route, as webhooks and REST edges mount theirs, using every dependency it is given.
const testRoutes: RouteMount = (app, deps) => {
  app.get('/test/execute', async (req, res) => {
    const requestId = requestIdOf(req);
    const auth = await deps.authenticate(req.headers.authorization, requestId);
    if (!auth.ok) return void res.status(401).json({ reason: auth.reason });
    const result = await deps.execute({ query: '{ whoami boom }', principal: auth.principal, requestId });
    res.json({ result, requestId });
  });
  app.post('/test/internal', async (_req, res) => {
    const body = Buffer.from(JSON.stringify({ query: '{ whoami }' }));
    const r = await deps.callInternal('merchant', '/graphql', body);
    res.status(r.status).type('application/json').send(r.body);
  });
};

const ADMIN_KEY = 'hk_adm_fixture_bootstrap_key_0001';
let fx: FixtureSubgraphs;
let gateway: HandoffGateway;
let server: RunningServer;
let url: string;

beforeAll(async () => {
  const config = loadGatewayConfig({ NODE_ENV: 'development', HANDOFF_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
  fx = await startFixtureSubgraphs(config.internalSecret);
  gateway = await createGateway({ config, supergraphSdl: fx.supergraphSdl, subgraphUrls: fx.urls, routes: [testRoutes] });
  server = await gateway.listen(0);
  url = `${server.url}/graphql`;
});
afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await fx?.stop();
});
afterEach(() => {
  fx.seen.length = 0;
  fx.failing.clear();
});

describe('unexpected subgraph failures reach the client as "Unexpected error." only', () => {
  it('a resolver that throws a plain Error (with a URL and a file path in its message)', async () => {
    const r = await postJson(url, { query: '{ boom sessionCount }' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      data: { boom: null, sessionCount: 1 },
      errors: [{ message: 'Unexpected error.', path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(r.text).not.toMatch(/10\.1\.2\.3|ECONNREFUSED|\/srv\/|stack|serviceName/);
  });

  it('a subgraph answering HTTP 500 with a connection string and a stack in its body', async () => {
    fx.failing.add('conversion-ledger');
    const r = await postJson(url, { query: '{ conversionCount paymentCount }' });
    expect(r.json.data).toEqual({ conversionCount: null, paymentCount: 2 });
    expect(r.json.errors).toEqual([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(r.text).not.toMatch(/postgres|10\.9\.8\.7|\/srv\/|response|500|127\.0\.0\.1/);
  });
});

describe('what the gateway sends a subgraph', () => {
  it('only its own headers: principal, signature, request id (no client headers, no cookies)', async () => {
    const forged = encodePrincipal({ kind: 'ADMIN', keyId: 'forged' });
    const r = await postJson(url, { query: '{ whoami }' }, {
      'x-handoff-principal': forged,
      'x-handoff-signature': 't=1,v1=' + '0'.repeat(64),
      'x-handoff-anything': 'x',
      cookie: 'session=secret',
      'x-forwarded-for': '1.2.3.4',
      'x-request-id': 'client-req-42',
    });
    expect(r.json.data.whoami).toBe(JSON.stringify({ kind: 'ANONYMOUS' }));
    const call = fx.seen.find((c) => c.subgraph === 'merchant')!;
    expect(Object.keys(call.headers).sort()).toEqual(
      ['connection', 'content-length', 'content-type', 'host', 'x-handoff-principal', 'x-handoff-signature', 'x-request-id'].sort(),
    );
    expect(call.headers['x-handoff-principal']).toBe(encodePrincipal({ kind: 'ANONYMOUS' }));
    expect(call.headers['x-request-id']).toBe('client-req-42');
  });

  it("the caller's principal, signed", async () => {
    const r = await postJson(url, { query: '{ whoami }' }, bearer(ADMIN_KEY));
    expect(JSON.parse(r.json.data.whoami)).toEqual({ kind: 'ADMIN', keyId: 'bootstrap' });
  });

  it('Idempotency-Key only with a request that is one mutation', async () => {
    const one = await postJson(url, { query: 'mutation { createThing(name: "a") }' }, { 'idempotency-key': 'idem-1' });
    expect(one.json.data).toEqual({ createThing: 'a:idem-1' });
    const two = await postJson(url, { query: 'mutation { createThing(name: "a") createOther(name: "b") }' }, { 'idempotency-key': 'idem-2' });
    expect(two.json.data).toEqual({ createThing: 'a:-', createOther: 'b:-' });
    const query = await postJson(url, { query: '{ whoami }' }, { 'idempotency-key': 'idem-3' });
    expect(query.json.errors).toBeUndefined();
    expect(fx.seen.filter((c) => c.headers['idempotency-key'] !== undefined).map((c) => c.headers['idempotency-key'])).toEqual(['idem-1']);
  });

  it('reuses keep-alive connections to a subgraph', async () => {
    for (let i = 0; i < 5; i++) await postJson(url, { query: '{ sessionCount }' });
    expect(fx.seen.filter((c) => c.subgraph === 'checkout-session').every((c) => c.headers.connection === 'keep-alive')).toBe(true);
  });
});

describe('route mounts (webhooks, hosted page, REST edges)', () => {
  it('execute() runs an operation through the gateway as a principal, with errors masked', async () => {
    const r = await getRaw(`${server.url}/test/execute`, { ...bearer(ADMIN_KEY), 'x-request-id': 'route-req-0001' });
    expect(r.status).toBe(200);
    expect(r.json.requestId).toBe('route-req-0001');
    expect(JSON.parse(r.json.result.data.whoami)).toEqual({ kind: 'ADMIN', keyId: 'bootstrap' });
    expect(r.json.result.errors).toEqual([{ message: 'Unexpected error.', path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  });

  it('authenticate() refuses what /graphql refuses', async () => {
    const r = await getRaw(`${server.url}/test/execute`, bearer('hk_mer_not_a_real_key'));
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ reason: 'malformed' });
  });

  it('callInternal() posts raw bytes to a subgraph, signed as the gateway SERVICE principal', async () => {
    const r = await postRaw(`${server.url}/test/internal`, '');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.json.data.whoami)).toEqual({ kind: 'SERVICE', service: 'gateway' });
  });
});

describe('a query text the gateway has not seen, on the /graphql fast path', () => {
  it('leaves to Apollo Server, whose answers they stay, texts that do not validate and texts that may hold NUL', async () => {
    const plans = async () => (await gateway.metrics.plans.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await plans();
    for (let i = 0; i < 2; i++) {
      const invalid = await postJson(url, { query: '{ whoami nope }' }, bearer(ADMIN_KEY));
      expect(invalid.status).toBe(400);
      expect(invalid.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const calls = fx.seen.length;
    const nul = await postJson(url, { query: 'mutation { createThing(name: "a\\u0000b") }' }, bearer(ADMIN_KEY));
    expect(nul.status).toBe(400);
    expect(nul.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(fx.seen.length).toBe(calls);
    expect(await plans()).toBe(before);
  });
});
