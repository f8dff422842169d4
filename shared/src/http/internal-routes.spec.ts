// The /internal listener on a real local server: signed calls reach their route with the raw
// bytes; everything else gets a clean JSON refusal; other paths go to what is behind it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signRequest } from '../identity/signing.js';
import { createLogger, REQUEST_ID_HEADER } from '../logging/logger.js';
import { internalRoutesListener, type InternalRequest } from './internal-routes.js';

const secret = 'k'.repeat(40);
let server: Server;
let base: string;
const seen: InternalRequest[] = [];

beforeAll(async () => {
  const listener = internalRoutesListener(
    {
      secret,
      logger: createLogger('test', 'silent'),
      limitBytes: 1000,
      routes: [
        {
          path: '/things/:kind/:id',
          async handle(req) {
            seen.push(req);
            if (req.params.id === 'boom') throw new Error('secret internal detail');
            return { status: 202, headers: { 'retry-after': '3' }, body: { ok: true, kind: req.params.kind, id: req.params.id } };
          },
        },
      ],
    },
    (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('behind'),
  );
  server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function signed(path: string, body: string | Buffer, extra: Record<string, string> = {}, init: RequestInit = {}) {
  const requestId = `req-${Math.random().toString(36).slice(2)}`;
  const principalB64 = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { [REQUEST_ID_HEADER]: requestId, [PRINCIPAL_HEADER]: principalB64, [SIGNATURE_HEADER]: signRequest({ secret, principalB64, requestId, body }), ...extra },
    body,
    ...init,
  });
}

describe('internal routes', () => {
  it('hands a signed call its principal, raw bytes and decoded params, and writes its answer', async () => {
    const body = Buffer.from('{"a": 1,  "b":"é"}');
    const res = await signed('/internal/things/test/a%2Fb', body);
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ ok: true, kind: 'test', id: 'a/b' });
    const req = seen.at(-1)!;
    expect(req.rawBody.equals(body)).toBe(true);
    expect(req.principal).toEqual({ kind: 'SERVICE', service: 'gateway' });
  });

  it('401 unsigned or tampered, without calling the route', async () => {
    const before = seen.length;
    const unsigned = await fetch(`${base}/internal/things/test/1`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    const requestId = 'r1';
    const principalB64 = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });
    const tampered = await fetch(`${base}/internal/things/test/1`, {
      method: 'POST',
      headers: { [REQUEST_ID_HEADER]: requestId, [PRINCIPAL_HEADER]: principalB64, [SIGNATURE_HEADER]: signRequest({ secret, principalB64, requestId, body: '{}' }) },
      body: '{ }',
    });
    expect(tampered.status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it('404 for other paths and methods under /internal; 413 over the limit, declared or streamed; 415 encoded', async () => {
    expect((await signed('/internal/nothing', '{}')).status).toBe(404);
    expect((await fetch(`${base}/internal/things/test/1`)).status).toBe(404);
    expect((await signed('/internal/things/test/1', 'x'.repeat(1001))).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(400));
        c.close();
      },
    });
    const streamed = await fetch(`${base}/internal/things/test/1`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await signed('/internal/things/test/1', '{}', { 'content-encoding': 'gzip' })).status).toBe(415);
  });

  it('500 with no detail when the route throws', async () => {
    const res = await signed('/internal/things/test/boom', '{}');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  it('leaves every other path to what is behind it', async () => {
    expect(await (await fetch(`${base}/graphql`, { method: 'POST', body: '{}' })).text()).toBe('behind');
    expect(await (await fetch(`${base}/internals`)).text()).toBe('behind');
  });
});
