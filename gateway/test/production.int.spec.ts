// NODE_ENV=production through the real gateway: no introspection, no field suggestions, no
// landing page, and internal failures reduced to "Unexpected error.".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { startTestHandoff } from '../../test/support/handoff.js';
import { scratchDatabase } from '../../test/support/scratch-database.js';
import { bearer, getRaw, postJson } from './support/http.js';

let handoff: RunningHandoff;
let url: string;
let db: Awaited<ReturnType<typeof scratchDatabase>>;

beforeAll(async () => {
  // Its own database: outside NODE_ENV=test the merchant subgraph checks that its key opens the
  // stored PSP secrets, and the run's shared database holds other stacks' (each its own key).
  db = await scratchDatabase('production');
  // METRICS_PORT 0: production's default metrics port (9464) would collide between test runs.
  handoff = await startTestHandoff({ workers: false, nodeEnv: 'production', databaseUrl: db.url, extraEnv: { METRICS_PORT: '0' } });
  url = handoff.graphqlUrl;
});
afterAll(async () => {
  await handoff?.stop();
  await db?.drop();
});

describe('NODE_ENV=production', () => {
  it('refuses introspection (__schema and __type) with a 400', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Merchant") { fields { name } } }']) {
      const r = await postJson(url, { query }, bearer(handoff.adminKey));
      expect(r.status).toBe(400);
      expect(r.json.errors[0].message).toMatch(/introspection is not allowed/i);
      expect(r.json.data).toBeUndefined();
    }
  });

  it('still answers { __typename }', async () => {
    expect((await postJson(url, { query: '{ __typename }' })).json).toEqual({ data: { __typename: 'Query' } });
  });

  it('gives no "Did you mean" suggestions for fields, arguments, types or enum values', async () => {
    const queries = [
      '{ merchnts { totalCount } }',
      '{ merchants(frist: 1) { totalCount } }',
      '{ viewer { rol } }',
      'query($r: ApiKeyRol) { __typename }',
      'mutation { createApiKey(input: { role: ADMN }) { key } }',
    ];
    for (const query of queries) {
      const r = await postJson(url, { query }, bearer(handoff.adminKey));
      expect(r.status, query).toBe(400);
      expect(r.text, query).not.toMatch(/did you mean/i);
      expect(r.json.errors[0].message).not.toMatch(/\?\s*$/);
    }
    const vars = await postJson(
      url,
      { query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', variables: { i: { role: 'ADMN' } } },
      bearer(handoff.adminKey),
    );
    expect(vars.status).toBe(400);
    expect(vars.text).not.toMatch(/did you mean/i);
  });

  it('answers 404 for /metrics on the public port; the metrics listener serves it', async () => {
    expect((await getRaw(`${handoff.gatewayUrl}/metrics`)).status).toBe(404);
    expect(handoff.metricsUrl.startsWith(`${handoff.gatewayUrl}/`)).toBe(false);
    const scraped = await getRaw(handoff.metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(/handoff_http_requests_total/);
  });

  it('serves no landing page', async () => {
    const r = await getRaw(url, { accept: 'text/html' });
    expect(r.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('keeps errors with public codes, and their messages', async () => {
    const r = await postJson(url, { query: '{ viewer { role } }' });
    expect(r.json.errors).toEqual([{ message: 'Missing, unknown or revoked API key.', path: ['viewer'], extensions: { code: 'UNAUTHENTICATED' } }]);
  });
});
