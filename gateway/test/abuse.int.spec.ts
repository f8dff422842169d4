// GraphQL abuse and the HTTP protocol, against the real gateway over the real subgraphs: query
// limits, malformed input (never a 500), batching, CSRF, GET mutations, body size, metrics, and
// the graphql-http server audits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { getIntrospectionQuery } from 'graphql';
import type { RunningHandoff } from '@handoff/launcher';
import { startTestHandoff } from '../../test/support/handoff.js';
import { bearer, getRaw, postJson, postRaw } from './support/http.js';

let handoff: RunningHandoff;
let url: string;

beforeAll(async () => {
  handoff = await startTestHandoff({ workers: false });
  url = handoff.graphqlUrl;
});
afterAll(async () => {
  await handoff?.stop();
});

const admin = () => bearer(handoff.adminKey);

/** Offer.merchant ↔ Merchant.offers: a real cycle in the graph, `levels` deep. */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `offers { edges { node { merchant { ${inner} } } } }`;
  return `{ merchants { edges { node { ${inner} } } } }`;
}

describe('query limits → 400 QUERY_TOO_COMPLEX with a clear message', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['depth', deepQuery(3), /^Query depth limit of 12 exceeded, found \d+\.$/],
    ['aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`, /^Aliases limit of 15 exceeded, found 16\.$/],
    ['tokens', `{ ${'__typename '.repeat(2100)}}`, /^Token limit of 2000 exceeded\.$/],
    ['directives', `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: __typename @include(if: true)`).join(' ')} }`, /^Directives limit of 10 exceeded, found 11\.$/],
    ['cost', '{ merchants(first: 100) { edges { node { offers(first: 100) { edges { node { id name } } } } } } }', /^Query Cost limit of 50000 exceeded, found \d+/],
  ];
  for (const [name, query, message] of cases) {
    it(name, async () => {
      const r = await postJson(url, { query }, admin());
      expect(r.status).toBe(400);
      const e = r.json.errors.find((x: { extensions: { code: string } }) => x.extensions.code === 'QUERY_TOO_COMPLEX');
      expect(e, r.text).toBeDefined();
      expect(e.message).toMatch(message);
      expect(r.json.data).toBeUndefined();
    });
  }

  it('a query just within the limits runs', async () => {
    const r = await postJson(url, { query: deepQuery(2) }, admin());
    expect(r.status).toBe(200);
    expect(r.json.errors).toBeUndefined();
  });
});

describe('malformed requests → 4xx, never 500', () => {
  const bodies: Array<[string, string]> = [
    ['garbage document', JSON.stringify({ query: ')(*&^%$#@! {{{ garbage' })],
    ['unterminated string', JSON.stringify({ query: '{ merchant(id: "1) { id } }' })],
    ['unterminated block string', JSON.stringify({ query: '{ merchant(id: """1) { id } }' })],
    ['fragment cycle', JSON.stringify({ query: '{ merchants { ...A } } fragment A on MerchantConnection { edges { node { offers { ...B } } } } fragment B on OfferConnection { edges { node { merchant { offers { ...B } } } } }' })],
    ['self-spreading fragment', JSON.stringify({ query: '{ viewer { ...V } } fragment V on Viewer { ...V }' })],
    ['unknown fragment', JSON.stringify({ query: '{ viewer { ...Nope } }' })],
    ['1 MB query', JSON.stringify({ query: `{ ${'__typename '.repeat(100_000)}}` })],
    ['200 kB of nesting', JSON.stringify({ query: `${'{ viewer '.repeat(20_000)}${'}'.repeat(20_000)}` })],
    ['unknown operation name', JSON.stringify({ query: 'query A { __typename }', operationName: 'B' })],
    ['two operations, no name', JSON.stringify({ query: 'query A { __typename } query B { __typename }' })],
    ['query is not a string', JSON.stringify({ query: 42 })],
    ['variables is a string', JSON.stringify({ query: '{ __typename }', variables: '{}' })],
    ['wrong variable type', JSON.stringify({ query: 'query($id: ID!) { merchant(id: $id) { id } }', variables: { id: { nested: true } } })],
    ['invalid JSON', '{"query": "{ __typename }"'],
    ['empty body', ''],
    ['JSON null', 'null'],
    ['JSON string', '"{ __typename }"'],
    ['batched array', JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])],
    ['5 000 fragments', JSON.stringify({ query: `{ viewer { ${Array.from({ length: 5000 }, (_, i) => `...F${i}`).join(' ')} } } ${Array.from({ length: 5000 }, (_, i) => `fragment F${i} on Viewer { role }`).join(' ')}` })],
    ['a fragment spread 10 000 times', JSON.stringify({ query: `{ viewer { ${'...F '.repeat(10_000)}} } fragment F on Viewer { role }` })],
    ['nested fragments 500 deep', JSON.stringify({ query: `{ viewer { ...F0 } } ${Array.from({ length: 500 }, (_, i) => `fragment F${i} on Viewer { ${i < 499 ? `...F${i + 1}` : 'role'} }`).join(' ')}` })],
    ['variables nested 5 000 lists deep', `{"query":"query($ids: [ID!]) { __typename }","variables":{"ids":${'['.repeat(5000)}${']'.repeat(5000)}}}`],
    ['variables nested 5 000 objects deep', `{"query":"query($i: MerchantCreateInput) { __typename }","variables":{"i":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`],
    ['a list variable of 100 000 items', JSON.stringify({ query: 'query($ids: [ID!]!) { __typename }', variables: { ids: Array.from({ length: 100_000 }, () => 1) } })],
    ['variables is an array', JSON.stringify({ query: '{ __typename }', variables: [1, 2] })],
    ['variables is a number', JSON.stringify({ query: '{ __typename }', variables: 7 })],
    ['extensions is a string', JSON.stringify({ query: '{ __typename }', extensions: 'x' })],
    ['operationName is an object', JSON.stringify({ query: '{ __typename }', operationName: { a: 1 } })],
    ['__proto__ in variables', '{"query":"mutation($i: MerchantCreateInput!) { createMerchant(input: $i) { merchant { id } } }","variables":{"__proto__":{"i":{"name":"X"}},"i":{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}}}'],
    ['__proto__ as the body', '{"__proto__":{"query":"{ __typename }"}}'],
    ['NUL and lone surrogates in the query', JSON.stringify({ query: '{ merchant(id: "\u0000\ud800") { id } }' })],
    ['a 2 000-digit integer literal', JSON.stringify({ query: `{ merchants(first: ${'9'.repeat(2000)}) { totalCount } }` })],
    ['a 2 000-digit integer variable', `{"query":"query($n: Int) { merchants(first: $n) { totalCount } }","variables":{"n":${'9'.repeat(2000)}}}`],
  ];
  for (const [name, body] of bodies) {
    it(name, async () => {
      const r = await postRaw(url, body, admin());
      expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json?.errors?.length, r.text.slice(0, 300)).toBeGreaterThan(0);
      expect(r.text).not.toMatch(/Unexpected error|stack|at \/|node_modules/);
    });
  }

  it('invalid UTF-8 in the body → 4xx, never 500', async () => {
    const bytes = Buffer.concat([Buffer.from('{"query":"{ merchant(id: \\"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('\\") { id } }"}')]);
    const r = await postRaw(url, bytes, admin());
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.json.errors[0].message).toBe('Request body is not valid UTF-8.');
    // The same bytes chunked (no content-length) take the express path: the same answer.
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin() },
      body: new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(400);
    expect(((await chunked.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toBe('Request body is not valid UTF-8.');
  });

  it('a body over 256 kB → 413 with a JSON error', async () => {
    const r = await postRaw(url, JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(300_000) } }));
    expect(r.status).toBe(413);
    expect(r.json.errors[0].message).toMatch(/too large/);
  });

  it('a batched array → 400', async () => {
    const r = await postRaw(url, JSON.stringify([{ query: '{ __typename }' }]));
    expect(r.status).toBe(400);
    expect(r.json.errors[0].message).toMatch(/batching/i);
  });
});

describe('HTTP methods and CSRF', () => {
  it('a mutation over GET → 405', async () => {
    const q = encodeURIComponent('mutation { revokeApiKey(id: "x") }');
    const r = await getRaw(`${url}?query=${q}`, { ...admin(), 'apollo-require-preflight': 'true' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it('a simple (CSRF-able) GET without a preflight header is refused', async () => {
    const r = await getRaw(`${url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/Cross-Site Request Forgery/);
  });

  it('a POST with a simple content type is refused', async () => {
    const r = await postRaw(url, JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' });
    expect(r.status).toBe(400);
  });

  it('a query over GET with a preflight header runs', async () => {
    const r = await getRaw(`${url}?query=${encodeURIComponent('{ __typename }')}`, { 'apollo-require-preflight': 'true' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { __typename: 'Query' } });
  });

  it('development: the landing page and introspection are on, with suggestions', async () => {
    const page = await getRaw(url, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const intro = await postJson(url, { query: '{ __schema { queryType { name } } }' });
    expect(intro.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const full = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const introspected = await postJson(url, { query: full });
    expect(introspected.status, introspected.text.slice(0, 300)).toBe(200);
    expect(introspected.json.data.__schema.types.length).toBeGreaterThan(20);
    const typo = await postJson(url, { query: '{ merchnts { totalCount } }' }, admin());
    expect(typo.json.errors[0].message).toMatch(/Did you mean "merchants"/);
  });
});

describe('health and metrics', () => {
  it('/health/live → 200', async () => {
    expect((await getRaw(`${handoff.gatewayUrl}/health/live`)).status).toBe(200);
  });

  it('/health/ready → 200 naming each subgraph', async () => {
    const r = await getRaw(`${handoff.gatewayUrl}/health/ready`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      ready: true,
      dependencies: { merchant: 'up', 'checkout-session': 'up', 'payment-intent': 'up', 'conversion-ledger': 'up' },
      failing: [],
    });
  });

  it('/metrics → Prometheus text with subgraph latency and error counts by code', async () => {
    await postJson(url, { query: '{ viewer { role } }' }, admin());
    await postJson(url, { query: '{ viewer { role } }' }); // UNAUTHENTICATED
    const r = await getRaw(`${handoff.gatewayUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toMatch(/handoff_subgraph_fetch_duration_seconds_count\{[^}]*subgraph="merchant"[^}]*\} [1-9]/);
    expect(r.text).toMatch(/handoff_graphql_errors_total\{[^}]*code="UNAUTHENTICATED"[^}]*\} [1-9]/);
    expect(r.text).toMatch(/handoff_http_requests_total\{[^}]*route="\/graphql"/);
    expect(r.text).toMatch(/process_resident_memory_bytes/);
  });

  it('an unknown path → 404 JSON', async () => {
    const r = await getRaw(`${handoff.gatewayUrl}/nope`);
    expect(r.status).toBe(404);
    expect(r.json.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('graphql-http server audits', () => {
  // One test per audit: a MUST that fails fails the build; SHOULD/MAY are reported, not enforced.
  const audits = serverAudits({ url: () => url });
  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (result.status === 'error') throw new Error(`${audit.name}: ${result.reason}`);
      if (result.status === 'warn' || result.status === 'notice') {
        console.info(`[${result.status}] ${audit.name}: ${result.reason}`);
      }
    });
  }
});
