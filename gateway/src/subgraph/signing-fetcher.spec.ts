import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, verifyRequest } from '@handoff/shared/identity/signing';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import { createSigningClient, createSigningFetcher, createSubgraphAgents, LeanHeaders, SubgraphFetchError, type SubgraphAgents } from './signing-fetcher.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const principalB64 = encodePrincipal({ kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' });

interface Seen {
  headers: IncomingMessage['headers'];
  body: Buffer;
  remotePort: number | undefined;
}

let server: Server;
let base: string;
let seen: Seen[] = [];
let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let agents: SubgraphAgents;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers: req.headers, body, remotePort: req.socket.remotePort });
      handler(req, res, body);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agents = createSubgraphAgents(8);
});
afterAll(async () => {
  await agents.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  seen = [];
});

const verifying = (_req: IncomingMessage, res: ServerResponse, body: Buffer) => {
  const last = seen[seen.length - 1]!;
  const verified = verifyRequest({
    secret: SECRET,
    principalHeader: last.headers[PRINCIPAL_HEADER] as string,
    signatureHeader: last.headers[SIGNATURE_HEADER] as string,
    requestId: last.headers[REQUEST_ID_HEADER] as string,
    body,
  });
  res.writeHead(verified.ok ? 200 : 401, { 'content-type': 'application/json', 'x-extra': 'yes' });
  res.end(JSON.stringify(verified.ok ? { data: { principal: verified.principal } } : { errors: [{ message: verified.reason }] }));
};

function fetcherWith(extra: Partial<Parameters<typeof createSigningFetcher>[0]> = {}) {
  return createSigningFetcher({ secret: SECRET, timeoutMs: 2000, agents, ...extra });
}

const init = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: principalB64, [REQUEST_ID_HEADER]: 'req-12345678', ...headers },
  body,
});

describe('signing fetcher', () => {
  it('signs the exact body bytes it sends, so the shared verifier accepts the call', async () => {
    handler = verifying;
    const body = JSON.stringify({ query: '{ x }', variables: { name: 'Zoë 🚀' } });
    const res = await fetcherWith()(`${base}/graphql`, init(body));
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(await res.json()).toEqual({ data: { principal: { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' } } });
    expect(seen[0]!.body.toString('utf8')).toBe(body);
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen[0]!.headers[SIGNATURE_HEADER]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('produces a signature that fails for another body, another principal or another request id', async () => {
    handler = (_req, res) => res.end('{}');
    const body = '{"query":"{ a }"}';
    await fetcherWith()(`${base}/graphql`, init(body));
    const { headers } = seen[0]!;
    const check = (over: { body?: string; principal?: string; requestId?: string }) =>
      verifyRequest({
        secret: SECRET,
        principalHeader: over.principal ?? (headers[PRINCIPAL_HEADER] as string),
        signatureHeader: headers[SIGNATURE_HEADER] as string,
        requestId: over.requestId ?? (headers[REQUEST_ID_HEADER] as string),
        body: over.body ?? body,
      });
    expect(check({}).ok).toBe(true);
    expect(check({ body: '{"query":"{ b }"}' })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ principal: encodePrincipal({ kind: 'ADMIN', keyId: 'x' }) })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ requestId: 'other-request-id' })).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('a signature made more than 60 s ago is refused as stale', async () => {
    handler = verifying;
    const res = await fetcherWith({ now: () => Date.now() - 61_000 })(`${base}/graphql`, init('{}'));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [{ message: 'stale signature' }] });
  });

  it('replaces any signature header the caller put in, and makes a request id when none is given', async () => {
    handler = verifying;
    const headers = { [SIGNATURE_HEADER]: 't=1,v1=' + '0'.repeat(64) } as Record<string, string>;
    const i = init('{}', headers);
    delete (i.headers as Record<string, string>)[REQUEST_ID_HEADER];
    const res = await fetcherWith()(`${base}/graphql`, i);
    expect(res.status).toBe(200);
    expect(seen[0]!.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to send a call without a principal header', async () => {
    handler = verifying;
    await expect(fetcherWith()(`${base}/graphql`, { method: 'POST', headers: {}, body: '{}' })).rejects.toThrow(/no principal header/);
    expect(seen).toHaveLength(0);
  });

  it('reuses keep-alive connections for calls in sequence', async () => {
    handler = verifying;
    const f = fetcherWith();
    for (let i = 0; i < 10; i++) await (await f(`${base}/graphql`, init(`{"i":${i}}`))).json();
    // undici may still count a connection busy for a tick after its answer is read, and then
    // opens a second one: two at most, never one per call.
    expect(new Set(seen.map((s) => s.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it('times out a subgraph that does not answer, and reports the outcome', async () => {
    handler = () => undefined; // never answers
    const outcomes: string[] = [];
    const f = fetcherWith({ timeoutMs: 100, observe: (_s, o) => outcomes.push(o) });
    const started = Date.now();
    const err = await f(`${base}/graphql`, init('{}')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubgraphFetchError);
    expect((err as SubgraphFetchError).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(outcomes).toEqual(['timeout']);
  });

  it('gives one call a deadline of its own in place of the client timeout', async () => {
    handler = (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}'), 300);
    };
    const client = createSigningClient({ secret: SECRET, timeoutMs: 100, agents });
    const headers = { [PRINCIPAL_HEADER]: principalB64, [REQUEST_ID_HEADER]: 'req-12345678' };
    const short = await client.post(`${base}/graphql`, headers, '{}').catch((e: unknown) => e);
    expect((short as SubgraphFetchError).kind).toBe('timeout');
    const long = await client.post(`${base}/graphql`, headers, '{}', 2000);
    expect(long.status).toBe(200);
    const cut = await client.post(`${base}/graphql`, headers, '{}', 50).catch((e: unknown) => e);
    expect((cut as SubgraphFetchError).message).toContain('after 50 ms');
  });

  it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const outcomes: string[] = [];
    const err = await fetcherWith({ observe: (_s, o) => outcomes.push(o) })(`http://127.0.0.1:${port}/graphql`, init('{}')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubgraphFetchError);
    expect((err as SubgraphFetchError).kind).toBe('network');
    expect(outcomes).toEqual(['network']);
  });

  it('returns a response with what RemoteGraphQLDataSource reads: status, ok, statusText, url, headers, json, text', async () => {
    handler = (_req, res) => {
      res.writeHead(503, 'Busy', { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"errors":[{"message":"busy"}]}');
    };
    const outcomes: string[] = [];
    const res = await fetcherWith({ observe: (_s, o) => outcomes.push(o) })(`${base}/graphql`, init('{}'));
    expect(res).toMatchObject({ status: 503, ok: false, statusText: 'Busy', url: `${base}/graphql`, redirected: false });
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.has('x-missing')).toBe(false);
    expect(res.bodyUsed).toBe(false);
    expect(await res.clone().text()).toBe('{"errors":[{"message":"busy"}]}');
    expect(await res.json()).toEqual({ errors: [{ message: 'busy' }] });
    expect(res.bodyUsed).toBe(true);
    expect(outcomes).toEqual(['http_503']);
  });

  it('rejects json() on a body that is not JSON', async () => {
    handler = (_req, res) => res.end('<html>oops</html>');
    const res = await fetcherWith()(`${base}/graphql`, init('{}'));
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });
});

describe('LeanHeaders', () => {
  it('is case-insensitive and iterable', () => {
    const h = new LeanHeaders({ 'Content-Type': 'a' });
    h.append('x-a', '1');
    h.append('X-A', '2');
    h.set('X-B', '3');
    h.delete('content-type');
    expect([...h]).toEqual([
      ['x-a', '1, 2'],
      ['x-b', '3'],
    ]);
    expect([...h.keys()]).toEqual(['x-a', 'x-b']);
    expect([...h.values()]).toEqual(['1, 2', '3']);
  });
});
