// The portal's static serving on a real express app and HTTP: client routes get index.html
// (no-cache), hashed assets are immutable, /portal/api/* is left to the accounts routes, and
// every answer carries the strict CSP and the hosted page's security headers.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPortalFiles } from './portal-files.js';
import { IMMUTABLE, NO_CACHE, portalContentSecurityPolicy, portalHandler } from './portal.routes.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/portal/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

let dir: string;
let base: string;
let close: () => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portal-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-AbC123.css'), 'body{}');
  writeFileSync(join(dir, 'assets', 'secret.map.bak'), 'not served');
  const app = express();
  app.post('/portal/api/login', (_req, res) => void res.status(401).json({ code: 'INVALID_CREDENTIALS' }));
  app.get('/portal/api/session', (_req, res) => void res.status(401).json({ code: 'UNAUTHENTICATED' }));
  app.use('/portal', portalHandler(loadPortalFiles(dir)));
  app.use((_req, res) => void res.status(404).json({ code: 'NOT_FOUND' }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => {
  close?.();
  rmSync(dir, { recursive: true, force: true });
});

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self';");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
}

describe('portal static serving', () => {
  it.each(['/portal', '/portal/', '/portal/live', '/portal/overview?x=1', '/portal/invitations/abc', '/portal/deep/client/route'])('%s answers index.html, not cached', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe(NO_CACHE);
    expectSecurityHeaders(res);
    expect(await res.text()).toBe(INDEX);
  });

  it('serves a hashed asset immutable, gzip when accepted', async () => {
    const plain = await fetch(`${base}/portal/assets/index-AbC123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expectSecurityHeaders(plain);
    expect(await plain.text()).toBe(SCRIPT);

    // fetch decodes gzip itself: the headers say what was sent, the text that it decodes to the script.
    const gz = await fetch(`${base}/portal/assets/index-AbC123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(Number(gz.headers.get('content-length'))).toBeLessThan(SCRIPT.length);
    expect(await gz.text()).toBe(SCRIPT);
  });

  it('answers 404 (not index.html) for an unknown asset or a file type the portal does not emit', async () => {
    for (const path of ['/portal/assets/index-Nope.js', '/portal/assets/secret.map.bak', '/portal/assets/..%2Findex.html']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).not.toBe(200);
      expect(await res.text()).not.toContain('<div id="root">');
    }
  });

  it('leaves /portal/api/* to the accounts routes (and their 404 to the gateway)', async () => {
    expect((await fetch(`${base}/portal/api/login`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/portal/api/session`)).status).toBe(401);
    const unknown = await fetch(`${base}/portal/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: 'NOT_FOUND' });
  });

  it('does not answer other methods with the page', async () => {
    const res = await fetch(`${base}/portal/live`, { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('names this host for WebSockets in connect-src, and nothing for a Host it cannot trust', () => {
    expect(portalContentSecurityPolicy('localhost:4000')).toContain("connect-src 'self' ws://localhost:4000 wss://localhost:4000;");
    expect(portalContentSecurityPolicy("evil.com; script-src 'unsafe-inline'")).toContain("connect-src 'self';");
    expect(portalContentSecurityPolicy(undefined)).toContain("connect-src 'self';");
  });

  it('answers 503 with a hint when the portal was not built', async () => {
    const app = express();
    app.use('/portal', portalHandler(loadPortalFiles(join(dir, 'missing'))));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/portal/live`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/npm run build/);
    } finally {
      server.close();
    }
  });
});
