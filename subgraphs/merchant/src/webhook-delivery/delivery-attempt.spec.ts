// One attempt against real local servers: what counts as delivered, what fails and how it is
// logged, redirects never followed, answers read at most 64 KiB, timeouts, and the SSRF guard
// (an address literal, and a name resolving to loopback, both refused without a connection).
import http from 'node:http';
import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { isNonPublicAddress, publicOnlyLookup } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_READ_BYTES, postWebhook, responseExcerpt } from './delivery-attempt.js';

let server: http.Server;
let origin: string;
const hits: string[] = [];
let bigBodySentBytes = 0;
let hugeClosed: { early: boolean } | null = null;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url!);
      if (req.url === '/ok') return res.writeHead(204).end();
      if (req.url === '/echo') return res.writeHead(200).end(JSON.stringify({ headers: req.headers }));
      if (req.url === '/error') return res.writeHead(500).end('boom\u0000!');
      if (req.url === '/redirect') return res.writeHead(302, { location: `${origin}/target` }).end();
      if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end(), 2000);
      if (req.url === '/slow-body') {
        res.writeHead(200);
        res.write('partial');
        return; // never ends
      }
      if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(16 * 1024, 'y');
        const pump = () => {
          while (bigBodySentBytes < 50 * 1024 * 1024 && !res.destroyed) {
            bigBodySentBytes += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        res.on('close', () => (hugeClosed = { early: !res.writableFinished }));
        return pump();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const allow = { allowPrivateUrls: true, timeoutMs: 1000 };

describe('postWebhook', () => {
  it('a 2xx delivers; the headers go out with the body', async () => {
    expect(await postWebhook(`${origin}/ok`, '{}', {}, allow)).toMatchObject({ succeeded: true, statusCode: 204, error: null, responseExcerpt: null });
    const echo = await postWebhook(`${origin}/echo`, '{"a":1}', { 'content-type': 'application/json', 'handoff-signature': 't=1,v1=ab' }, allow);
    const seen = JSON.parse(echo.responseExcerpt!).headers;
    expect(seen).toMatchObject({ 'content-type': 'application/json', 'handoff-signature': 't=1,v1=ab', 'content-length': '7' });
    expect(echo.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('another status fails the attempt, its answer kept (without NUL)', async () => {
    expect(await postWebhook(`${origin}/error`, '{}', {}, allow)).toMatchObject({ succeeded: false, statusCode: 500, error: null, responseExcerpt: 'boom!' });
  });

  it('a redirect fails and is not followed', async () => {
    const before = hits.filter((h) => h === '/target').length;
    expect(await postWebhook(`${origin}/redirect`, '{}', {}, allow)).toMatchObject({ succeeded: false, statusCode: 302, error: 'redirect_not_followed' });
    expect(hits.filter((h) => h === '/target').length).toBe(before);
  });

  it('no answer in time is a timeout; a status already in hand decides', async () => {
    expect(await postWebhook(`${origin}/slow`, '{}', {}, { allowPrivateUrls: true, timeoutMs: 200 })).toMatchObject({ succeeded: false, statusCode: null, error: 'timeout' });
    expect(await postWebhook(`${origin}/slow-body`, '{}', {}, { allowPrivateUrls: true, timeoutMs: 200 })).toMatchObject({ succeeded: true, statusCode: 200, responseExcerpt: 'partial' });
  });

  it('reads at most 64 KiB of an answer, then drops the connection; keeps 1 KiB', async () => {
    const r = await postWebhook(`${origin}/huge`, '{}', {}, { allowPrivateUrls: true, timeoutMs: 5000 });
    expect(r).toMatchObject({ succeeded: true, statusCode: 200, responseExcerpt: 'y'.repeat(1024) });
    // The connection is closed before the sender's 50 MiB are through.
    await expect.poll(() => hugeClosed, { timeout: 5000 }).toEqual({ early: true });
    expect(bigBodySentBytes).toBeGreaterThan(MAX_RESPONSE_READ_BYTES);
    expect(bigBodySentBytes).toBeLessThan(50 * 1024 * 1024);
  });

  it('a refused connection, an unknown name and a bad URL fail with their kind', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, allow)).error).toBe('connection_refused');
    expect((await postWebhook('http://no-such-host.invalid/', '{}', {}, allow)).error).toBe('dns_failure');
    expect((await postWebhook('not a url', '{}', {}, allow)).error).toBe('invalid_url');
    expect((await postWebhook(`${origin}/ok`, '{}', {}, { allowPrivateUrls: false })).error).toBe('invalid_url'); // plain http
  });

  it('refuses a private address without connecting, by literal or by what the name resolves to', async () => {
    const before = hits.length;
    const https = origin.replace('http:', 'https:');
    expect(await postWebhook(`${https}/ok`, '{}', {}, { allowPrivateUrls: false })).toMatchObject({ succeeded: false, error: 'blocked_private_address' });
    // This machine's own name resolves to a loopback address (as /etc/hosts says here).
    const name = hostname();
    const resolved = await lookup(name, { all: true });
    expect(resolved.length > 0 && resolved.every((a) => isNonPublicAddress(a.address))).toBe(true);
    expect(await postWebhook(`https://${name}:${origin.split(':')[2]}/ok`, '{}', {}, { allowPrivateUrls: false })).toMatchObject({
      succeeded: false,
      error: 'blocked_private_address',
    });
    expect(hits.length).toBe(before);
  });
});

describe('publicOnlyLookup', () => {
  it('fails a name resolving to a non-public address; answers the checked addresses otherwise', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('EADDRNOTPUBLIC');
  });
});

describe('responseExcerpt', () => {
  it('keeps at most 1 KiB of UTF-8, never splitting a character into invalid bytes', () => {
    const text = 'é'.repeat(1000);
    const excerpt = responseExcerpt(Buffer.from(text))!;
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(1024);
    expect(excerpt).toBe('é'.repeat(512));
    expect(responseExcerpt(Buffer.alloc(0))).toBeNull();
  });
});
