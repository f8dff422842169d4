import express from 'express';
import { createLogger } from '@handoff/shared/logging/logger';
import type { RunningServer } from '@handoff/shared/http/subgraph-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenGracefully } from '../http/listen.js';
import type { GatewayRouteDeps, InternalResponse } from '../routes.js';
import { webhookIngress, type WebhookIngressOptions } from './webhook-route.js';

/** The ingress as the gateway serves it: its node:http path in front of express, its express route behind. */
function serve(deps: GatewayRouteDeps, opts: WebhookIngressOptions): Promise<RunningServer> {
  const app = express();
  const ingress = webhookIngress(opts);
  ingress.mount(app, deps);
  app.use((_req, res) => void res.status(404).json({ fallback: true }));
  return listenGracefully(ingress.listener(deps, app), 0, '127.0.0.1');
}

const calls: Array<{ path: string; body: string; headers: Record<string, string> }> = [];
let next: () => Promise<InternalResponse> = async () => ({ status: 200, headers: {}, body: Buffer.from('{"received":true,"status":"queued"}') });
let server: RunningServer;

beforeAll(async () => {
  const deps = {
    logger: createLogger('test', 'silent'),
    callInternal: async (_s: string, path: string, body: Buffer, headers: Record<string, string> = {}) => {
      calls.push({ path, body: body.toString(), headers });
      return next();
    },
  } as unknown as GatewayRouteDeps;
  server = await serve(deps, { limitBytes: 1024 });
});
afterAll(async () => server?.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('POST /webhooks/:provider/:merchantId', () => {
  it('forwards the exact bytes and the signature header, and relays the answer', async () => {
    calls.length = 0;
    const body = '{"id":"evt_1",  "type":"x"}';
    const res = await post('/webhooks/test/mer_1', body, { 'handoff-signature': 't=1,v1=abc', 'stripe-signature': 's' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, status: 'queued' });
    expect(calls[0]).toMatchObject({ path: '/internal/webhooks/test/mer_1', body, headers: { 'handoff-signature': 't=1,v1=abc', 'stripe-signature': 's' } });
  });

  it('takes a chunked delivery on its express route, with the same answer and the same bytes forwarded', async () => {
    calls.length = 0;
    next = async () => ({ status: 200, headers: {}, body: Buffer.from('{"received":true,"status":"queued"}') });
    const body = '{"id":"evt_2",\n "type":"y"}';
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(body.slice(0, 7)));
        c.enqueue(new TextEncoder().encode(body.slice(7)));
        c.close();
      },
    });
    const res = await fetch(`${server.url}/webhooks/test/mer_2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'handoff-signature': 't=2,v1=def' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, status: 'queued' });
    expect(calls[0]).toMatchObject({ path: '/internal/webhooks/test/mer_2', body, headers: { 'handoff-signature': 't=2,v1=def' } });
    const big = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'.repeat(2000)));
        c.close();
      },
    });
    const tooBig = await fetch(`${server.url}/webhooks/test/mer_2`, { method: 'POST', body: big, duplex: 'half' } as RequestInit);
    expect(tooBig.status).toBe(413);
    expect(calls).toHaveLength(1);
  });

  it('leaves other methods and paths to what is behind it', async () => {
    expect(await (await fetch(`${server.url}/webhooks/test/mer_1`)).json()).toEqual({ fallback: true });
    expect(await (await post('/webhooks/test', '{}')).json()).toEqual({ fallback: true });
    expect(await (await post('/graphql', '{}')).json()).toEqual({ fallback: true });
  });

  it('400 for a path it cannot decode, and keeps the request id it was given', async () => {
    expect((await post('/webhooks/test/%E0%A4%A', '{}')).status).toBe(400);
    const res = await post('/webhooks/test/mer_1', '{}', { 'x-request-id': 'req-abc-123' });
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
  });

  it('413 over the limit without calling the subgraph', async () => {
    calls.length = 0;
    expect((await post('/webhooks/test/mer_1', 'x'.repeat(2000))).status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('404 for an unknown provider, 400 for a malformed merchant id', async () => {
    expect((await post('/webhooks/paypal/mer_1', '{}')).status).toBe(404);
    expect((await post('/webhooks/test/a%20b', '{}')).status).toBe(400);
  });

  it('503 when the subgraph cannot be reached or fails; 400 passes through', async () => {
    next = async () => {
      throw new Error('ECONNREFUSED');
    };
    expect((await post('/webhooks/stripe/mer_1', '{}')).status).toBe(503);
    next = async () => ({ status: 500, headers: {}, body: Buffer.from('{"errors":[{"message":"internal detail"}]}') });
    const res = await post('/webhooks/stripe/mer_1', '{}');
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).not.toContain('internal detail');
    next = async () => ({ status: 400, headers: {}, body: Buffer.from('{"received":false,"error":"invalid signature"}') });
    expect((await post('/webhooks/test/mer_1', '{}')).status).toBe(400);
  });

  it("relays a 503's Retry-After (load shed by payment-intent), and sets one on every 503", async () => {
    next = async () => ({ status: 503, headers: { 'retry-after': '2' }, body: Buffer.from('{"received":false,"error":"temporarily overloaded","retryAfterSeconds":2}') });
    const shed = await post('/webhooks/test/mer_1', '{}');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('2');
    expect(await shed.json()).toEqual({ received: false, error: 'temporarily overloaded', retryAfterSeconds: 2 });
    next = async () => ({ status: 503, headers: { 'retry-after': 'soon; rm -rf' }, body: Buffer.from('{"received":false}') });
    expect((await post('/webhooks/test/mer_1', '{}')).headers.get('retry-after')).toBe('5');
    next = async () => {
      throw new Error('ECONNREFUSED');
    };
    expect((await post('/webhooks/test/mer_1', '{}')).headers.get('retry-after')).toBe('5');
    next = async () => ({ status: 200, headers: { 'retry-after': '2' }, body: Buffer.from('{"received":true,"status":"queued"}') });
    expect((await post('/webhooks/test/mer_1', '{}')).headers.get('retry-after')).toBeNull();
  });
});

describe('webhook admission control at the gateway', () => {
  it('beyond maxInFlight: 503 + Retry-After at once, without calling the subgraph; admitted again once answers are out', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const forwarded: string[] = [];
    const busy = await serve(
      {
        logger: createLogger('test', 'silent'),
        callInternal: async (_s: string, path: string) => {
          forwarded.push(path);
          await held;
          return { status: 200, headers: {}, body: Buffer.from('{"received":true,"status":"queued"}') };
        },
      } as unknown as GatewayRouteDeps,
      { maxInFlight: 2 },
    );
    try {
      const send = (m: string) => fetch(`${busy.url}/webhooks/test/${m}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const first = [send('mer_a'), send('mer_b')];
      while (forwarded.length < 2) await new Promise((r) => setTimeout(r, 10));
      const shed = await send('mer_c');
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('1');
      expect(await shed.json()).toEqual({ received: false, error: 'temporarily overloaded', retryAfterSeconds: 1 });
      expect([...forwarded].sort()).toEqual(['/internal/webhooks/test/mer_a', '/internal/webhooks/test/mer_b']);
      release();
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
      expect((await send('mer_c')).status).toBe(200);
      expect(forwarded).toHaveLength(3);
    } finally {
      await busy.close();
    }
  });
});
